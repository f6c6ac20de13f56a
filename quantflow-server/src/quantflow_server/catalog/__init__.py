"""What the canvas builds its palette, forms and autocomplete from."""
