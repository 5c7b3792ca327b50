"""`trainer check` warns about ASCII punctuation beside Chinese text in a ``zh`` file."""

from __future__ import annotations

import pytest

from trainer.cli.main import main
from trainer.deck.parser import parse_text

ZH = "---\nlang: zh\n---\n\n"


def warnings(text: str, *, lang: str | None = None) -> list[tuple[int, int, str]]:
    parsed = parse_text(text, "deck.md", lang=lang, check_math=True)
    assert not [p for p in parsed.problems if p.severity == "error"]
    return [(p.line, p.col, p.message) for p in parsed.problems if "ASCII" in p.message]


def test_check_prints_path_line_col_and_the_full_width_mark(decks, capsys):
    folder = decks / "zh"  # the loader's folder rule: no front matter needed
    folder.mkdir()
    path = folder / "pooling.md"
    path.write_text("## 最大池化的梯度去哪里? {#q}\n\n送到窗口最大值(第一个),其余为零。\n",
                    encoding="utf-8")
    assert main(["check", str(decks)]) == 0  # warnings only
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:1:14: warning: ASCII '?' beside Chinese text; use '？'",
        f"{path}:3:8: warning: ASCII '(' beside Chinese text; use '（'",
        f"{path}:3:12: warning: ASCII ')' beside Chinese text; use '）'",
        f"{path}:3:13: warning: ASCII ',' beside Chinese text; use '，'",
    ]


@pytest.mark.parametrize(("mark", "full"), [(",", "，"), (";", "；"), (":", "："),
                                            ("(", "（"), (")", "）"), ("?", "？"),
                                            ("!", "！")])
def test_each_mark_names_its_full_width_twin(mark, full):
    assert warnings(f"{ZH}## 问题 {{#q}}\n\n甲{mark}乙\n") == [
        (7, 2, f"ASCII {mark!r} beside Chinese text; use {full!r}")]


def test_lines_and_columns_inside_lists_quotes_tables_and_after_emphasis():
    text = (f"{ZH}## 问题 {{#q}}\n\n"
            "- 列表:一\n  续行(二)\n\n"     # lines 7-8: the '- ' and the indent are kept
            "> 引用,三\n\n"               # line 10
            "| 列 | 值:四 |\n|---|---|\n| 甲 | 乙 |\n\n"  # line 12
            "这是**粗体**,五\n")           # line 16: ',' after '**' still touches '体'
    assert [(line, col) for line, col, _ in warnings(text)] == [
        (7, 5), (8, 5), (8, 7), (10, 5), (12, 8), (16, 9)]


def test_math_code_fences_and_cloze_markers_are_left_alone():
    text = (f"{ZH}## 公式 {{#q}}\n\n"
            "中$中(x)$文 和 `a,b中(c)` 以及 $$中:文$$。\n\n"
            "```python\n中,文 = (1)\n```\n\n"
            "    缩进代码,中文\n\n"
            "$$\n中(文)\n$$\n\n"
            "## 跳距 {{c1::跳距}} 和 {{c2::步长::提示}} {#c}\n\n"
            "还有 {{c3::$中(1)$}}。\n")
    assert warnings(text) == []


def test_the_text_of_a_deletion_is_prose():
    text = f"{ZH}## 填空 {{#c}}\n\n感受野 {{{{c1::跳距(jump)::提示:一}}}} 结束。\n"
    assert [(line, col, message[7]) for line, col, message in warnings(text)] == [
        (7, 13, "("), (7, 23, ":")]


def test_escapes_tags_lines_and_spaced_or_ascii_neighbours_are_not_flagged():
    text = (f"{ZH}## 问题 {{#q}}\n\ntags: 公式,定义\n\n"
            "转义\\(注\\)。中文 : 前后有空格。(0, 0)。元组：(B, n)。f(x)\n")
    assert warnings(text) == []


def test_a_full_width_neighbour_counts_except_for_brackets():
    assert [m[7] for _, _, m in warnings(f"{ZH}## 为什么（归一化）? {{#q}}\n\n答。\n")] == ["?"]
    assert warnings(f"{ZH}## 元组 {{#q}}\n\n从 (0, 0)。到 tanh(x)，\n") == []


def test_english_files_are_not_checked():
    body = "## 问题(一)? {#q}\n\n送到窗口最大值,其余为零。\n"
    assert warnings(body) == []
    assert warnings("---\nlang: en\n---\n\n" + body, lang="zh") == []  # front matter wins
    assert len(warnings(body, lang="zh")) == 3


def test_the_app_does_not_pay_for_the_lint():  # only `trainer check` runs it
    text = f"{ZH}## 问题? {{#q}}\n\n答。\n"
    assert parse_text(text, "deck.md").problems == []
    assert len(parse_text(text, "deck.md", check_math=True).problems) == 1
