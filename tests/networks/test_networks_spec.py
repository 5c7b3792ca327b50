"""Spec files: the examples load and analyse; broken specs fail at ``path:line``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trainer.exercises.networks import (
    NetworkError,
    analyze,
    builtin_network,
    dump_spec,
    load_spec,
    parse_spec,
    resolve_network,
)
from trainer.exercises.networks.transformer_spec import resolve_transformer
from trainer.exercises.solver import SolverError

DATA = Path(__file__).resolve().parents[2] / "data" / "networks"
DOC = Path(__file__).resolve().parents[2] / "docs" / "network-spec.md"


def marked_line(text: str) -> int:
    """1-based number of the line carrying the ``# <-`` marker."""
    for number, line in enumerate(text.splitlines(), start=1):
        if "# <-" in line:
            return number
    raise AssertionError("no marker")


def test_every_example_spec_loads_and_analyzes():
    specs = sorted(DATA.glob("*.yaml")) + sorted(DATA.glob("*.toml"))
    # Transformer specs (tiny_llama.yaml) are tested in test_networks_transformer_spec.py
    specs = [path for path in specs if resolve_transformer(path) is None]
    assert len(specs) >= 3
    for path in specs:
        analysis = analyze(load_spec(path))
        assert analysis.total_params > 0 and analysis.total_macs > 0
        assert not analysis.warnings, (path, analysis.warnings)


def test_inception_block_example():
    analysis = analyze(load_spec(DATA / "inception_block.yaml"))
    assert analysis.network == "inception-3a"
    assert analysis.output_shape == (256, 28, 28)
    assert analysis.total_params == 163_696  # GoogLeNet 3a, conv weights + biases
    out = analysis.layer("output")
    assert out.inputs == ["b1", "b3", "b5", "bp"]
    assert out.receptive_field == (5, 5) and out.effective_padding == (2, 2)


def test_tiny_resnet_example():
    analysis = analyze(load_spec(DATA / "tiny_resnet.yaml"))
    assert analysis.input_shape == (3, 32, 32)
    assert analysis.output_shape == (10,)
    assert analysis.layer("b2_add").output_shape == (32, 16, 16)
    assert analysis.layer("b2_add").receptive_field == (13, 13)
    assert analysis.layer("b2_down").inputs == ["b1_out"]
    # unnamed layers get <type>_<n> names and read the previous layer
    assert analysis.layers[2].name == "batchnorm2d_1"
    assert analysis.layers[2].inputs == ["stem"]


def test_toml_example_with_groups_and_dilation():
    network = load_spec(DATA / "aspp_separable.toml")
    analysis = analyze(network)
    assert analysis.layer("depthwise").params == 32 * 9
    assert analysis.layer("rate4").receptive_field == (7 + 2 * 8, 7 + 2 * 8)
    assert analysis.layer("aspp").output_shape == (96, 32, 32)
    assert analysis.layer("aspp").receptive_field == analysis.layer("rate4").receptive_field


def test_input_override_and_default_input():
    network = load_spec(DATA / "tiny_resnet.yaml")
    assert analyze(network, (3, 64, 64)).layer("b2_add").output_shape == (32, 32, 32)
    network = parse_spec("layers: [{type: conv2d, out: 4, kernel: 3}]")
    assert analyze(network).layer("conv2d_1").output_shape == (4, 222, 222)


def test_doc_mentions_every_example_and_type():
    text = DOC.read_text(encoding="utf-8")
    from trainer.exercises.networks import LAYER_TYPES

    for kind in LAYER_TYPES:
        assert f"`{kind}`" in text, kind
    for path in DATA.iterdir():
        assert path.name in text, path.name


def test_doc_examples_parse():
    """Every ```yaml / ```toml block of the doc that has 'layers' is a valid spec."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```(yaml|toml)\n(.*?)```", text, flags=re.S)
    checked = 0
    for fmt, body in blocks:
        transformer = re.search(r"^type\s*[:=]\s*\"?transformer", body, flags=re.M)
        if "layers" in body and "# broken" not in body and not transformer:
            analyze(parse_spec(body, fmt=fmt))
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2", "alexnet"])
def test_dump_and_reload_of_a_builtin_network_matches(name):
    """A built-in network written out as YAML loads back to the same analysis."""
    network = builtin_network(name)
    text = dump_spec(network)
    assert "  - {type: conv2d, name: conv1" in text or "features.0" in text
    again = parse_spec(text)
    assert analyze(again).to_dict() == analyze(network).to_dict()


def test_dump_of_examples_round_trips():
    for path in sorted(DATA.iterdir()):
        if resolve_transformer(path) is not None:  # not a layer list: nothing to dump
            continue
        network = load_spec(path)
        again = parse_spec(dump_spec(network))
        assert analyze(again).to_dict() == analyze(network).to_dict(), path


# --- broken specs ------------------------------------------------------------------------

BROKEN_YAML = {
    "unknown type": ("""
layers:
  - {type: conv2d, out: 8, kernel: 3}
  - {type: convolution, out: 8, kernel: 3}   # <-
""", "unknown type 'convolution'"),
    "unknown setting": ("""
layers:
  - type: conv2d
    out: 8
    kernal: 3   # <-
""", "unknown setting 'kernal' for conv2d \\(did you mean 'kernel'\\?"),
    "missing setting": ("""
input: [3, 32, 32]
layers:
  - {type: conv2d, name: c1, kernel: 3}   # <-
""", r"layer 'c1' \(conv2d\): missing required setting 'out_channels'"),
    "bad pair": ("""
layers:
  - type: maxpool2d
    kernel: [2, 2, 2]   # <-
""", r"kernel: expected an integer or a pair \[h, w\]"),
    "string number": ("""
layers:
  - type: linear
    out: "10"   # <-
""", "out: Input should be a valid integer"),
    "undefined input": ("""
layers:
  - {type: conv2d, name: a, out: 8, kernel: 3}
  - {type: add, inputs: [a, b]}   # <-
""", "input 'b' is not defined"),
    "later input": ("""
layers:
  - {type: conv2d, name: a, out: 8, kernel: 3, input: b}   # <-
  - {type: conv2d, name: b, out: 8, kernel: 3}
""", "input 'b' is defined later"),
    "duplicate name": ("""
layers:
  - {type: conv2d, name: a, out: 8, kernel: 3}
  - {type: relu, name: a}   # <-
""", "duplicate layer name 'a' \\(first defined at .*:3\\)"),
    "add with one input": ("""
layers:
  - {type: conv2d, name: a, out: 8, kernel: 3}
  - {type: add, inputs: [a]}   # <-
""", "add needs at least 2 inputs"),
    "unknown top-level key": ("""
name: x
layer:   # <-
  - relu
""", "unknown top-level key 'layer'"),
    "not a mapping": ("""
layers:
  - relu
  - [conv2d, 3]   # <-
""", "layer #2: expected a mapping"),
    "yaml syntax": ("""
layers:
  - {type: conv2d, out: 8, kernel: 3   # <-
  - relu
""", "invalid YAML: .*flow mapping"),
    "bad input shape": ("""
input: [3, 32, x]   # <-
layers: [relu]
""", "input.2: Input should be a valid integer"),
}

BROKEN_ANALYSIS = {
    "channel mismatch": ("""
input: [3, 32, 32]
layers:
  - {type: conv2d, name: c1, out: 16, kernel: 3, padding: 1}
  - {type: conv2d, name: c2, in: 8, out: 16, kernel: 3}   # <-
""", r"layer 'c2' \(conv2d\): in_channels=8 but its input 'c1' has 16 channels"),
    "add shape mismatch": ("""
input: [3, 32, 32]
layers:
  - {type: conv2d, name: a, out: 16, kernel: 3, padding: 1}
  - {type: conv2d, name: b, out: 16, kernel: 3}
  - {type: add, name: sum, inputs: [a, b]}   # <-
""", r"layer 'sum' \(add\): add needs inputs of identical shape, got 'a' \(16, 32, 32\), "
     r"'b' \(16, 30, 30\)"),
    "concat size mismatch": ("""
input: [3, 32, 32]
layers:
  - {type: input, name: x}
  - {type: conv2d, name: a, out: 16, kernel: 3, padding: 1}
  - {type: maxpool2d, name: b, input: x, kernel: 2}
  - {type: concat, inputs: [a, b]}   # <-
""", "concat joins channels: every input needs the same H and W"),
    "output size below 1": ("""
input: [3, 8, 8]
layers:
  - {type: maxpool2d, kernel: 4}
  - {type: conv2d, name: big, out: 4, kernel: 5}   # <-
""", "layer 'big' \\(conv2d\\): .*Kernel size can't be greater than actual input size"),
    "linear without flatten": ("""
input: [3, 8, 8]
layers:
  - {type: linear, name: fc, out: 10}   # <-
""", "needs a flat \\(F,\\) input, got \\(3, 8, 8\\).*put a flatten layer before it"),
    "groups": ("""
input: [6, 8, 8]
layers:
  - {type: conv2d, out: 8, kernel: 3, groups: 4}   # <-
""", r"in_channels \(6\) must be divisible by groups \(4\)"),
    "pool padding": ("""
input: [3, 8, 8]
layers:
  - relu
  - {type: maxpool2d, kernel: 2, padding: 2}   # <-
""", "pad should be"),
    "batchnorm features": ("""
input: [3, 8, 8]
layers:
  - {type: batchnorm2d, num_features: 4}   # <-
""", "num_features=4 but its input 'input' has 3 channels"),
    "flat input for conv": ("""
input: [3, 8, 8]
layers:
  - flatten
  - {type: conv2d, out: 4, kernel: 1}   # <-
""", r"needs a \(C, H, W\) input, got the flat shape \(192\)"),
    "input shape": ("""
input: [3, 0, 8]   # <-
layers: [relu]
""", "input shape must be"),
}


@pytest.mark.parametrize("case", list(BROKEN_YAML))
def test_broken_spec_reports_path_and_line(case, tmp_path):
    text, pattern = BROKEN_YAML[case]
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NetworkError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{marked_line(text)}: "), message
    assert re.search(pattern, message), message


@pytest.mark.parametrize("case", list(BROKEN_ANALYSIS))
def test_invalid_configuration_reports_layer_and_line(case, tmp_path):
    text, pattern = BROKEN_ANALYSIS[case]
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    network = load_spec(path)
    with pytest.raises(NetworkError) as info:
        analyze(network)
    message = str(info.value)
    assert message.startswith(f"{path}:{marked_line(text)}: "), message
    assert re.search(pattern, message), message
    assert isinstance(info.value, SolverError) and isinstance(info.value, ValueError)


BROKEN_TOML = {
    "syntax": ("""
name = "x"
[[layers]]
type = "relu
""", 4, "invalid TOML"),
    "unknown type": ("""
[[layers]]
type = "relu"

[[layers]]
name = "c"
type = "cnv"
""", 7, "unknown type 'cnv'"),
    "bad setting": ("""
input = [3, 16, 16]

[[layers]]
type = "conv2d"
out = 4
kernel = 3
stride = [1, 2, 3]
""", 8, "stride: expected an integer or a pair"),
    "channel mismatch": ("""
input = [3, 16, 16]

[[layers]]
type = "conv2d"
out = 4
kernel = 3

[[layers]]        # the second layer
type = "conv2d"
in = 5
out = 4
kernel = 3
""", 9, "in_channels=5 but its input 'conv2d_1' has 4 channels"),
}


@pytest.mark.parametrize("case", list(BROKEN_TOML))
def test_broken_toml_reports_line(case, tmp_path):
    text, line, pattern = BROKEN_TOML[case]
    path = tmp_path / "net.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NetworkError) as info:
        analyze(load_spec(path))
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert re.search(pattern, message), message


def test_missing_file_and_parse_spec_sources(tmp_path):
    with pytest.raises(NetworkError, match="cannot read spec file"):
        load_spec(tmp_path / "nope.yaml")
    with pytest.raises(NetworkError, match="^<string>:3: "):
        parse_spec("layers:\n  - relu\n  - {type: bogus}\n")
    with pytest.raises(NetworkError, match="'layers' must be a non-empty list"):
        parse_spec("name: empty\nlayers: []\n")
    with pytest.raises(NetworkError, match="a network spec is a mapping"):
        parse_spec("- relu\n")
    with pytest.raises(NetworkError, match="unknown spec format"):
        parse_spec("layers: [relu]", fmt="json")  # type: ignore[arg-type]


def test_type_aliases_and_bare_names():
    network = parse_spec("""
input: [3, 16, 16]
layers:
  - {type: conv, out: 8, kernel: [1, 3], padding: [0, 1]}
  - bn
  - relu6
  - {type: activation, function: gelu}
  - {type: maxpool, kernel: 2}
  - {type: cat, inputs: [relu6_1, maxpool2d_1]}
  - flatten
  - {type: fc, out: 2}
""")
    types = [layer.type for layer in network.layers]
    assert types == ["input", "conv2d", "batchnorm2d", "relu6", "activation", "maxpool2d",
                     "concat", "flatten", "linear"]
    with pytest.raises(NetworkError, match="concat joins channels"):
        analyze(network)


def test_resolve_network_reads_paths():
    network = resolve_network(str(DATA / "tiny_resnet.yaml"))
    assert network.name == "tiny-resnet"
    assert resolve_network(DATA / "aspp_separable.toml").name == "aspp-separable"
    with pytest.raises(NetworkError, match="cannot read spec file"):
        resolve_network("missing.yaml")


def test_name_defaults_to_the_file_stem(tmp_path):
    path = tmp_path / "my_net.yaml"
    path.write_text("layers: [relu]\n", encoding="utf-8")
    assert load_spec(path).name == "my_net"
