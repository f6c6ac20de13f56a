"""Correctly rounded fused multiply-add for Python floats (math.fma arrives only in Python 3.13).

The TA-Lib C library in the wheel is compiled with floating-point contraction: `a*b + c` becomes
one FMA instruction, rounded once. `streaming.py` must round the same way to reproduce TA-Lib bit
for bit, so it calls `fma` exactly where the compiler fused. Exact integer arithmetic on the
floats' binary fractions, then one correctly rounded int/int division: about 1.5 µs a call.
"""

from __future__ import annotations


def fma(a: float, b: float, c: float) -> float:
    """a * b + c with a single rounding."""
    try:
        a_num, a_den = a.as_integer_ratio()
        b_num, b_den = b.as_integer_ratio()
        c_num, c_den = c.as_integer_ratio()
    except (OverflowError, ValueError):  # inf or NaN: IEEE rules of the plain expression apply
        return a * b + c
    product_num, product_den = a_num * b_num, a_den * b_den
    # Denominators are powers of two, so one always divides the other.
    if product_den >= c_den:
        numerator, denominator = product_num + c_num * (product_den // c_den), product_den
    else:
        numerator, denominator = product_num * (c_den // product_den) + c_num, c_den
    if numerator == 0:
        return a * b + c  # exact zero: let IEEE decide its sign
    try:
        return numerator / denominator  # int true division rounds correctly
    except OverflowError:
        return a * b + c
