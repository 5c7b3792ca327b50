"""MarkdownText parses with one shared parser: it must draw exactly what Rich draws."""

from rich.console import Console
from rich.markdown import Markdown

from trainer.tui.widgets.markdown_text import card_markdown

SAMPLE = """Pooling **has no weights**; `MaxPool2d(2)` halves H and W.

- first ~~struck~~ item
- second, with a [link](https://example.org)

| k | out |
|---|-----|
| 3 | 14  |

    x' = (x − xₘᵢₙ)/(xₘₐₓ − xₘᵢₙ)

```python
y = torch.nn.functional.max_pool2d(x, 2)
```
"""


def render(renderable) -> str:
    console = Console(width=60, record=True, force_terminal=True, color_system="truecolor")
    console.print(renderable)
    return console.export_text(styles=True)


def test_the_shared_parser_draws_what_rich_draws():
    ours = render(card_markdown(SAMPLE))
    assert ours == render(Markdown(SAMPLE, code_theme="ansi_dark", hyperlinks=False))
    assert "\x1b[9mstruck" in ours and "─" in ours  # strikethrough and tables are enabled


def test_each_text_is_its_own_renderable():
    first, second = card_markdown("one"), card_markdown("two")
    assert "one" in render(first) and "two" in render(second) and "two" not in render(first)
