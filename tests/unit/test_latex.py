import pytest

from trainer.deck.latex import latex_to_unicode, unknown_macros
from trainer.deck.math_markdown import render_math


@pytest.mark.parametrize(
    ("latex", "unicode"),
    [
        # The formulas the material lost, as the terminal must show them.
        (r"\left\lfloor \frac{H + 2P - K}{S} \right\rfloor + 1", "⌊(H + 2P − K)/S⌋ + 1"),
        (r"x' = \frac{x - \min(x)}{\max(x) - \min(x)}", "x' = (x − min(x))/(max(x) − min(x))"),
        (r"z = \frac{x - \mu}{\sigma}", "z = (x − μ)/σ"),
        (r"r_l = r_{l-1} + (k_l - 1)\prod_{i=1}^{l-1} s_i",
         "rₗ = rₗ₋₁ + (kₗ − 1) ∏ᵢ₌₁ˡ⁻¹ sᵢ"),
        (r"(H_{in} - 1) \times S - 2P + D(K - 1) + P_{out} + 1",
         "(Hᵢₙ − 1) × S − 2P + D(K − 1) + Pₒᵤₜ + 1"),
        (r"C_{in} \cdot C_{out} \cdot K^2", "Cᵢₙ · Cₒᵤₜ · K²"),
        (r"\frac{1}{C_{out}} + \frac{1}{K^2}", "1/Cₒᵤₜ + 1/K²"),
        (r"\hat{x} = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}", "x̂ = (x − μ_B)/√(σ_B² + ε)"),
        (r"y = \gamma \hat{x} + \beta", "y = γx̂ + β"),
        (r"\mathbb{R}^{n}", "ℝⁿ"),
        (r"-1 \le x \ne 2", "−1 ≤ x ≠ 2"),
        (r"\text{out size}", "out size"),
        (r"\lceil n / 2 \rceil", "⌈n/2⌉"),
        (r"(N,C,H,W)", "(N, C, H, W)"),
        (r"\frac{8,768}{73,728}", "8,768/73,728"),
        (r"64 \cdot 128 \cdot 9 + 128 = 73{,}856", "64 · 128 · 9 + 128 = 73,856"),
        (r"\frac{1}{HW}\sum_{i} x_i", "1/(HW) ∑ᵢ xᵢ"),
        (r"\frac{a}{b} x", "a/b x"),
        (r"\frac{\partial L}{\partial x_i}", "∂L/∂xᵢ"),
    ],
)
def test_formulas_read_as_unicode(latex: str, unicode: str):
    assert latex_to_unicode(latex) == unicode


def test_scripts_without_unicode_forms_fall_back_to_parentheses():
    assert latex_to_unicode(r"x_{new}") == "x_(new)"
    assert latex_to_unicode(r"\sigma_B") == "σ_B"


def test_unknown_macros_are_reported_and_kept_visible():
    assert unknown_macros(r"\alpha + \foo{x}") == ["\\foo"]
    assert "\\foo" in latex_to_unicode(r"\foo")


def test_render_math_in_markdown_leaves_code_alone():
    markdown = "Size $\\frac{a}{b}$ and `$x$`.\n\n```\n$y$\n```\n"
    rendered = render_math(markdown)
    assert rendered.startswith("Size a/b and `$x$`.")
    assert "$y$" in rendered


def test_display_math_becomes_an_indented_block():
    rendered = render_math("Before\n\n$$\n\\sum_{i=1}^n x_i\n$$\n\nAfter\n")
    assert "    ∑ᵢ₌₁ⁿ xᵢ" in rendered.split("\n")
    assert "$" not in rendered


def test_display_math_inside_a_paragraph_is_set_apart_not_run_into_the_sentence():
    # No blank lines around the $$ block: markdown-it reads it as part of the paragraph.
    text = "Scale it:\n$$\nx' = \\frac{x}{2}\n$$\nThen use it. Inline $$y$$ stays inline."
    assert render_math(text) == "Scale it:\n\n    x' = x/2\n\nThen use it. Inline y stays inline."


def test_math_inside_a_table_does_not_break_it():
    rendered = render_math("| a | b |\n|---|---|\n| $x_i$ | $\\Vert w \\Vert$ |\n")
    assert rendered.split("\n")[2] == "| xᵢ | ‖w‖ |"
