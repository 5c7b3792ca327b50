"""analyze() on networks built in Python: DAG rules, receptive-field rules, rows and JSON."""

from __future__ import annotations

import json

import pytest

from trainer.exercises.networks import (
    COLUMNS,
    WHOLE_INPUT,
    AdaptiveAvgPool2dLayer,
    AddLayer,
    Analysis,
    ConcatLayer,
    Conv2dLayer,
    DropoutLayer,
    FlattenLayer,
    InputLayer,
    LinearLayer,
    MaxPool2dLayer,
    Network,
    NetworkError,
    analyze,
    format_table,
    human_count,
    parse_spec,
    resnet18,
    rows,
)
from trainer.exercises.solver import (
    SolverError,
    conv,
    conv2d_macs,
    conv2d_params,
    pool,
    receptive_field_table,
)


def seq(*layers, input_shape=(3, 32, 32)) -> Network:
    return Network(name="t", input_shape=input_shape, layers=list(layers))


def test_python_network_defaults():
    net = seq(Conv2dLayer(out_channels=8, kernel_size=3),
              Conv2dLayer(name="c", out_channels=8, kernel_size=3),
              Conv2dLayer(out_channels=8, kernel_size=3))
    assert [layer.name for layer in net.layers] == ["input", "conv2d_1", "c", "conv2d_2"]
    assert [layer.inputs for layer in net.layers] == [[], ["input"], ["conv2d_1"], ["c"]]
    assert net.output == "conv2d_2"
    assert net["c"].out_channels == 8
    analysis = analyze(net)
    assert analysis.output_shape == (8, 26, 26)
    assert analysis.layers[0].receptive_field == (1, 1)


def test_auto_names_skip_taken_names():
    net = seq(Conv2dLayer(name="conv2d_1", out_channels=4, kernel_size=1),
              Conv2dLayer(out_channels=4, kernel_size=1))
    assert net.layers[2].name == "conv2d_2"


def test_sequential_rows_agree_with_the_solver_table():
    convs = [(7, 2, 3, 1), (3, 1, 2, 2), (3, 2, 1, 1), (5, 1, 4, 2)]
    layers = [Conv2dLayer(out_channels=4, kernel_size=k, stride=s, padding=p, dilation=d)
              for k, s, p, d in convs]
    layers.insert(2, MaxPool2dLayer(kernel_size=3, stride=2, padding=1, ceil_mode=True))
    analysis = analyze(seq(*layers, input_shape=(3, 101, 101)))
    solver_layers = [conv(k, s, p, d) for k, s, p, d in convs]
    solver_layers.insert(2, pool(3, 2, 1, ceil_mode=True))
    table = receptive_field_table(solver_layers, 101)
    for row, ref in zip(analysis.layers[1:], table, strict=True):
        assert row.receptive_field == (ref.receptive_field,) * 2
        assert row.jump == (ref.jump,) * 2
        assert row.effective_padding == (ref.effective_padding,) * 2
        assert row.output_shape[1:] == (ref.output_size,) * 2


def test_params_and_macs_come_from_the_solver():
    net = seq(Conv2dLayer(out_channels=12, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2),
                          groups=3, bias=False), input_shape=(6, 20, 30))
    row = analyze(net).layers[1]
    assert row.output_shape == (12, 20, 15)
    assert row.params == conv2d_params(6, 12, (3, 5), groups=3, bias=False) == 12 * 2 * 15
    assert row.macs == conv2d_macs(6, 12, (3, 5), (20, 15), groups=3)
    assert row.flops == 2 * row.macs


def test_non_square_receptive_field_and_same_padding():
    net = seq(Conv2dLayer(out_channels=4, kernel_size=(1, 7), padding=(0, 3)),
              Conv2dLayer(out_channels=4, kernel_size=4, padding="same"),
              Conv2dLayer(out_channels=4, kernel_size=3, padding="valid"))
    analysis = analyze(net)
    assert analysis.layers[1].receptive_field == (1, 7)
    same = analysis.layers[2]
    assert same.output_shape == (4, 32, 32)
    assert same.receptive_field == (4, 10) and same.effective_padding == (1, 4)
    assert analysis.layers[3].output_shape == (4, 30, 30)
    assert rows(analysis)[1]["rf"] == "1×7"
    assert rows(analysis)[3]["rf"] == "6×12"


def test_add_of_branches_with_different_jumps_warns():
    net = Network(input_shape=(1, 8, 8), layers=[
        InputLayer(name="x"),
        Conv2dLayer(name="a", out_channels=1, kernel_size=1, stride=2),   # 4x4, jump 2
        Conv2dLayer(name="b", inputs=["x"], out_channels=1, kernel_size=5),  # 4x4, jump 1
        AddLayer(name="sum", inputs=["a", "b"]),
    ])
    analysis = analyze(net)
    row = analysis.layer("sum")
    assert row.jump == (2, 2)
    assert row.receptive_field == (5, 5)
    assert any("different effective strides [1, 2] along H" in w for w in row.warnings)
    assert analysis.warnings[0].startswith("sum: ")


def test_concat_channels_and_flat_concat():
    net = Network(input_shape=(4, 8, 8), layers=[
        InputLayer(name="x"),
        Conv2dLayer(name="a", out_channels=3, kernel_size=3, padding=1),
        Conv2dLayer(name="b", inputs="x", out_channels=5, kernel_size=1),
        ConcatLayer(name="cat", inputs=["a", "b", "x"]),
        FlattenLayer(name="fa"),
        FlattenLayer(name="fb", inputs="x"),
        ConcatLayer(name="flat", inputs=["fa", "fb"]),
        LinearLayer(out_features=2),
    ])
    analysis = analyze(net)
    assert analysis.layer("cat").output_shape == (12, 8, 8)
    assert analysis.layer("cat").receptive_field == (3, 3)
    assert analysis.layer("flat").output_shape == (12 * 64 + 4 * 64,)
    assert analysis.layer("flat").whole_input
    assert analysis.layer("linear_1").params == (12 * 64 + 4 * 64) * 2 + 2


def test_concat_mixing_flat_and_spatial_is_refused():
    net = Network(input_shape=(4, 8, 8), layers=[
        InputLayer(name="x"), FlattenLayer(name="f"), ConcatLayer(inputs=["x", "f"])])
    with pytest.raises(NetworkError, match="cannot concatenate flat and"):
        analyze(net)


@pytest.mark.parametrize(("size", "out", "rf", "jump", "warned"), [
    (14, 7, 2, 2, False),       # windows of 2, step 2: a 2x2/2 pool
    (6, 6, 1, 1, False),        # identity
    (7, 1, 7, 7, False),        # global pooling
    (13, 6, 3, 2, False),       # windows [0,3) [2,5) ... [10,13): a 3x3/2 pool
    (13, 5, 4, 3, True),        # windows of 3 and 4: an upper bound
])
def test_adaptive_pooling_receptive_field(size, out, rf, jump, warned):
    net = seq(AdaptiveAvgPool2dLayer(output_size=out), input_shape=(1, size, size))
    row = analyze(net).layers[1]
    assert row.output_shape == (1, out, out)
    assert row.receptive_field == (rf, rf) and row.jump == (jump, jump)
    assert bool(row.warnings) == warned


def test_mlp_on_a_flat_input():
    net = seq(LinearLayer(out_features=16), DropoutLayer(p=0.1), LinearLayer(out_features=3),
              input_shape=(8,))
    analysis = analyze(net)
    assert analysis.total_params == 8 * 16 + 16 + 16 * 3 + 3
    assert analysis.total_macs == 8 * 16 + 16 * 3
    assert all(row.whole_input for row in analysis.layers)
    assert rows(analysis)[0]["rf"] == WHOLE_INPUT


def test_graph_errors_for_python_networks():
    with pytest.raises(NetworkError, match="input 'nope' is not defined"):
        analyze(seq(Conv2dLayer(out_channels=1, kernel_size=1, inputs="nope")))
    with pytest.raises(NetworkError, match="duplicate layer name 'a'"):
        analyze(seq(Conv2dLayer(name="a", out_channels=1, kernel_size=1),
                    Conv2dLayer(name="a", out_channels=1, kernel_size=1)))
    with pytest.raises(NetworkError, match="one input layer, and it comes first"):
        analyze(seq(Conv2dLayer(out_channels=1, kernel_size=1), InputLayer(name="late")))
    with pytest.raises(NetworkError, match="takes exactly one input"):
        analyze(Network(layers=[InputLayer(name="x"), Conv2dLayer(
            name="c", out_channels=1, kernel_size=1), Conv2dLayer(
            out_channels=1, kernel_size=1, inputs=["x", "c"])]))
    with pytest.raises(NetworkError, match="name a layer twice"):
        analyze(Network(layers=[InputLayer(name="x"), AddLayer(inputs=["x", "x"])]))
    with pytest.raises(NetworkError, match="dropout probability"):
        analyze(seq(DropoutLayer(p=1.5)))


def test_errors_are_solver_errors_naming_the_layer():
    net = seq(MaxPool2dLayer(name="pool", kernel_size=64))
    with pytest.raises(NetworkError) as info:
        analyze(net)
    assert isinstance(info.value, SolverError) and isinstance(info.value, ValueError)
    assert info.value.layer == "pool" and info.value.layer_type == "maxpool2d"
    assert str(info.value).startswith("layer 'pool' (maxpool2d): ")
    assert "Output size is too small" in str(info.value)


@pytest.mark.parametrize("shape", [(3, 32), (0, 4, 4), (3, 4, 4, 4), (True, 4, 4), "abc"])
def test_bad_input_shapes(shape):
    with pytest.raises(NetworkError, match="input shape must be"):
        analyze(seq(FlattenLayer()), shape)


def test_input_shape_numpy_ints_and_priority():
    import numpy as np

    net = seq(FlattenLayer(), input_shape=(3, 4, 4))
    assert analyze(net).output_shape == (48,)
    assert analyze(net, np.array([2, 3, 3])).output_shape == (18,)
    net.layers[0].shape = (1, 2, 2)
    assert analyze(net).output_shape == (4,)


def test_rows_and_json_forms():
    analysis = analyze(resnet18())
    table = rows(analysis)
    assert [key for key, _ in COLUMNS] == list(table[0])
    assert table[1] == {"name": "conv1", "type": "conv2d", "output": "64×112×112", "rf": "7",
                        "jump": "2", "padding": "3", "params": "9,408",
                        "macs": "118,013,952"}
    assert table[-1]["name"] == "total" and table[-1]["params"] == "11,689,512"
    assert table[-2]["rf"] == WHOLE_INPUT
    raw = analysis.rows(raw=True, totals=False)
    assert raw[1]["rf"] == [7, 7] and raw[1]["params"] == 9408 and raw[-1]["rf"] is None
    assert len(raw) == len(analysis.layers)

    data = json.loads(analysis.to_json())
    assert data["total_params"] == 11_689_512
    assert data["total_flops"] == 2 * data["total_macs"]
    fc = data["layers"][-1]
    assert fc["receptive_field"] is None and fc["whole_input"] is True
    assert data["layers"][1]["receptive_field"] == [7, 7]
    again = Analysis.model_validate({**data, "layers": [
        {k: v for k, v in row.items() if k not in ("whole_input", "flops")}
        for row in data["layers"]]})
    assert again.to_dict() == analysis.to_dict()


def test_format_table():
    text = format_table(analyze(resnet18()))
    lines = text.splitlines()
    assert lines[0] == "resnet18: input 3×224×224"
    assert lines[1].split() == ["layer", "type", "output", "RF", "jump", "eff.", "pad",
                                "params", "MACs"]
    assert "params 11,689,512 (11.69 M)" in text
    assert "MACs 1,814,073,344 (1.81 G)" in text
    assert "FLOPs = 2·MACs = 3,628,146,688" in text
    warned = parse_spec("""
input: [1, 8, 8]
layers:
  - {type: input, name: x}
  - {type: conv2d, name: a, out: 1, kernel: 1, stride: 2}
  - {type: conv2d, name: b, input: x, out: 1, kernel: 5}
  - {type: add, inputs: [a, b]}
""")
    assert "warning: add_1: branches have different effective strides" in \
        format_table(analyze(warned))


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (999, "999"), (1500, "1.50 k"),
                                         (11_689_512, "11.69 M"), (15_470_264_320, "15.47 G"),
                                         (3 * 10**12, "3.00 T")])
def test_human_count(n, text):
    assert human_count(n) == text
