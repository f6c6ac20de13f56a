"""The canvas in a real browser against a real server: build, configure, save and run an SMA
crossover from the palette; a plugin's node in the palette; problems shown on the right nodes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

FINAL = ("succeeded", "failed", "cancelled", "interrupted")


def _new_workflow(s, name: str) -> None:
    s.page.fill("input[aria-label='New workflow name']", name)
    s.page.click("button:has-text('Create')")
    s.page.wait_for_selector(".palette-item")


def test_build_configure_save_and_run_an_sma_crossover(session) -> None:
    s, page = session, session.page
    s.login()
    s.shot("workflow-list")
    _new_workflow(s, "SMA crossover e2e")
    s.shot("empty-canvas")

    # Build from the palette: every node is dragged in.
    s.drop("core:on_bar_close", 120, 90)
    s.drop("core:bars", 120, 330)
    s.drop("core:indicator", 370, 150)
    s.drop("core:indicator", 370, 450)
    s.drop("core:crossover", 620, 150)
    s.drop("core:crossover", 620, 450)
    s.drop("core:place_order", 120, 590)
    for node_id in ("on_bar_close", "bars", "indicator", "indicator_2", "crossover", "crossover_2", "place_order"):
        expect(s.node(node_id)).to_be_visible()
    s.shot("nodes-dropped")

    # An incompatible connection is refused, with the reason next to the pointer.
    s.connect("bars", "frame", "crossover", "a")
    expect(page.locator(".refusal-tooltip")).to_contain_text("gives frame")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    s.shot("refused-connection")

    wires = [
        ("on_bar_close", "out", "bars", "trigger"),
        ("bars", "frame", "indicator", "frame"),
        ("bars", "frame", "indicator_2", "frame"),
        ("indicator", "out", "crossover", "a"),
        ("indicator_2", "out", "crossover", "b"),
        ("indicator", "out", "crossover_2", "a"),
        ("indicator_2", "out", "crossover_2", "b"),
        ("bars", "frame", "place_order", "frame"),
        ("crossover", "out", "place_order", "buy"),
        ("crossover_2", "out", "place_order", "sell"),
    ]
    for wire in wires:
        s.connect(*wire)
    expect(page.locator(".react-flow__edge")).to_have_count(len(wires))
    page.click("button:has-text('Layout')")
    page.wait_for_timeout(500)
    s.shot("wired-and-laid-out")

    # Configure through the generated forms.
    s.select("bars")
    s.param("symbols").locator("button:has-text('+ add')").click()
    s.param("symbols.0").locator("input").fill("FPT")
    s.param("symbols").locator("button:has-text('+ add')").first.click()
    s.param("symbols.1").locator("input").fill("VCB")
    s.shot("configure-bars")
    for node_id, window in (("indicator", "10"), ("indicator_2", "30")):
        s.select(node_id)
        s.param("args").locator("button:has-text('+ add')").click()
        s.param("args.0").locator("input").fill(window)
    s.select("crossover_2")
    s.param("direction").locator("select").select_option(label="below")
    s.select("place_order")
    percent = s.param("percent").locator("input")
    percent.fill("0")
    expect(s.param("percent")).to_contain_text("more than 0")  # bounds from the schema, checked live
    percent.fill("30")
    expect(s.param("percent").locator(".field-error")).to_have_count(0)
    s.shot("configure-order")

    # Save: a revision, valid (not a draft).
    page.fill("input[aria-label='Save message']", "SMA 10/30 from the e2e test")
    page.click("button:has-text('Save')")
    expect(page.get_by_test_id("revision")).to_have_text("rev 2")
    expect(page.locator(".editor-bar .badge.warn")).to_have_count(0)
    s.shot("saved")
    saved = s.api().get(f"{s.server.url}/api/workflows/").json()
    workflow = next(w for w in saved if w["name"] == "SMA crossover e2e")
    document = s.api().get(f"{s.server.url}/api/workflows/{workflow['id']}").json()["document"]
    params = {n["id"]: n["params"] for n in document["nodes"]}
    assert params["bars"]["symbols"] == ["FPT", "VCB"]
    assert params["indicator"]["args"] == [10] and params["indicator_2"]["args"] == [30]
    assert params["crossover_2"]["direction"] == "below" and params["place_order"]["percent"] == 30

    # Run from the canvas; every node gets a live status from the websocket.
    page.click("button:has-text('Run')")
    dialog = page.locator(".run-dialog")
    expect(dialog.locator('[data-param="mode"] select')).to_be_visible(timeout=15_000)
    modes = dialog.locator('[data-param="mode"] select option').all_inner_texts()
    backtest = "backtest" in modes  # the server offers backtests (RunRequest's mode enum)
    if backtest:
        dialog.locator('[data-param="mode"] select').select_option(label="backtest")
        dialog.locator('[data-param="start"] input').fill("2023-01-03")
        dialog.locator('[data-param="end"] input').fill("2023-12-29")
    s.shot("run-dialog")
    dialog.locator("button.primary").click()
    for node_id in params:
        expect(s.node(node_id).locator(".qf-node")).to_have_attribute(
            "data-status", re.compile("^(succeeded|failed|skipped)$"), timeout=120_000
        )
    statuses = {n: s.node(n).locator(".qf-node").get_attribute("data-status") for n in params}
    s.shot("run-finished")
    page.locator(".dock-tabs button:has-text('log')").click()
    expect(page.locator(".run-log")).to_have_attribute("data-run-status", re.compile("|".join(FINAL)))
    s.shot("run-log")
    if not backtest:
        return
    assert set(statuses.values()) == {"succeeded"}, statuses
    expect(page.locator(".run-log")).to_have_attribute("data-run-status", "succeeded")
    page.locator(".dock-tabs button:has-text('results')").click()

    # The results view (it opens by itself when a backtest ends): metrics, equity and drawdown charts, trades, orders.
    results = page.get_by_test_id("results")
    expect(results).to_be_visible(timeout=30_000)
    expect(results.locator('[data-metric="total_return_pct"]')).to_contain_text("%")
    for chart in ("chart-equity", "chart-drawdown"):
        expect(page.get_by_test_id(chart).locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id("orders")).to_contain_text("Orders (")
    expect(page.get_by_test_id("trades")).to_contain_text("Trades (")
    orders = page.get_by_test_id("orders").locator("tbody tr").count()
    assert orders > 0, "an SMA crossover over a year should trade"
    s.shot("backtest-results")
    page.get_by_test_id("orders").scroll_into_view_if_needed()
    s.shot("backtest-trades-and-orders")


def test_a_node_type_from_an_installed_plugin_is_in_the_palette(session) -> None:
    s, page = session, session.page
    s.login()
    _new_workflow(s, "Plugin palette e2e")
    page.fill("input[aria-label='Search nodes']", "momentum")
    item = page.locator('.palette-item[data-type-id="example:momentum"]')
    expect(item).to_be_visible()
    expect(item.locator(".badge")).to_have_text("example")
    s.shot("plugin-node-in-palette")
    s.drop("example:momentum", 300, 200)
    s.select("momentum")
    expect(s.param("window").locator("input")).to_have_attribute("min", "1")
    s.shot("plugin-node-form")

    # Keyboard: copy/paste, undo/redo, delete (focus on the canvas, not in a field).
    nodes = page.locator(".react-flow__node")
    page.locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    s.select("momentum")
    page.locator(".react-flow__pane").focus()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(nodes).to_have_count(2)
    expect(s.node("momentum_2")).to_be_visible()
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(2)
    page.keyboard.press("Delete")  # the pasted copy is the selection
    expect(nodes).to_have_count(1)
    expect(s.node("momentum")).to_be_visible()
    s.shot("keyboard-edits")


def test_an_invalid_graph_shows_its_problems_on_the_right_nodes(session) -> None:
    s, page = session, session.page
    s.login()
    document = {
        "schema_version": 1,
        "id": "broken",
        "name": "Broken e2e",
        "nodes": [
            {
                "id": "start",
                "type": "core:manual_trigger",
                "type_version": 1,
                "params": {},
                "position": {"x": 0, "y": 0},
            },
            {
                "id": "bars",
                "type": "core:bars",
                "type_version": 1,
                "params": {"symbols": ["FPT"], "lookback": 0},
                "position": {"x": 250, "y": 0},
            },
            {"id": "cross", "type": "core:crossover", "type_version": 1, "params": {}, "position": {"x": 500, "y": 0}},
            {
                "id": "fine",
                "type": "core:constant",
                "type_version": 1,
                "params": {"value": 1},
                "position": {"x": 250, "y": 200},
            },
        ],
        "edges": [
            {"source": "start", "source_port": "out", "target": "bars", "target_port": "trigger"},
            {"source": "start", "source_port": "out", "target": "fine", "target_port": "trigger"},
            {"source": "bars", "source_port": "frame", "target": "cross", "target_port": "a"},
        ],
    }
    created = s.api().post(f"{s.server.url}/api/workflows/import?draft=true", data=document)
    assert created.ok, created.text()
    page.goto(f"{s.server.url}/workflows/{created.json()['id']}")  # a deep link, served by the SPA fallback
    page.wait_for_selector(".react-flow__node")
    expect(s.node("bars").locator(".qf-node")).to_have_class(re.compile("has-problem"))
    expect(s.node("cross").locator(".qf-node")).to_have_class(re.compile("has-problem"))
    expect(s.node("fine").locator(".qf-node")).not_to_have_class(re.compile("has-problem"))
    expect(s.node("cross").locator('.qf-port.in.port-problem:has-text("a")')).to_be_visible()
    codes = page.locator(".problem-list li").evaluate_all("items => items.map(i => i.dataset.code)")
    assert {"invalid_param", "port_type_mismatch", "missing_required_input"} <= set(codes), codes
    s.shot("problems-on-nodes")
    s.select("bars")
    expect(s.param("lookback")).to_have_class(re.compile("field-problem"))
    expect(s.param("symbols")).not_to_have_class(re.compile("field-problem"))
    s.shot("problem-on-field")


def test_expression_editor_and_revision_history(session) -> None:
    s, page = session, session.page
    s.login()
    _new_workflow(s, "Expressions and history e2e")
    s.drop("core:manual_trigger", 120, 120)
    s.drop("core:constant", 420, 120)
    s.connect("manual_trigger", "out", "constant", "trigger")
    page.fill("input[aria-label='Save message']", "two nodes")
    page.click("button:has-text('Save')")
    expect(page.get_by_test_id("revision")).to_have_text("rev 2")

    # A formula: highlighted, autocompleted from the server's functions, validated live.
    s.drop("core:condition", 420, 400)
    s.select("condition")
    editor = s.param("formula").locator("textarea")
    editor.fill("")
    editor.type("crossover(sma(close, 10), sm")
    suggestions = s.param("formula").locator(".expr-suggestions li")
    expect(suggestions.first).to_contain_text("sma")
    editor.press("Enter")  # accepts 'sma('
    editor.type("close, 30)) and foo(1)")
    expect(editor).to_have_value("crossover(sma(close, 10), sma(close, 30)) and foo(1)")
    underlined = s.param("formula").locator(".expr-highlight .expr-error")
    expect(underlined).to_have_text("foo")
    expect(s.param("formula").locator(".expr-status")).to_contain_text("unknown function 'foo'")
    expect(s.param("formula").locator(".expr-highlight .tok-function").first).to_have_text("crossover")
    s.shot("expression-error-underlined")
    editor.fill("crossover(sma(close, 10), sma(close, 30))")
    expect(s.param("formula").locator(".expr-status")).to_contain_text("gives a bool series")
    s.shot("expression-valid")

    # Change the constant, save, then see the diff against revision 2 on the canvas, and restore it.
    s.select("constant")
    s.param("value").locator("input").fill("7")
    page.fill("input[aria-label='Save message']", "condition and a new value")
    page.click("button:has-text('Save')")
    expect(page.get_by_test_id("revision")).to_have_text("rev 3")
    page.click("button:has-text('History')")
    page.locator('.revision-list li[data-revision="2"] button:has-text("rev 2")').click()
    expect(s.node("condition").locator(".qf-node")).to_have_class(re.compile("diff-added"))
    expect(s.node("constant").locator(".qf-node")).to_have_class(re.compile("diff-changed"))
    expect(page.locator(".diff-list")).to_contain_text("value")
    s.shot("history-diff")
    page.locator('.revision-list li[data-revision="2"] button:has-text("Restore")').click()
    expect(page.get_by_test_id("revision")).to_have_text("rev 4")
    expect(s.node("condition")).to_have_count(0)
    s.shot("restored")
