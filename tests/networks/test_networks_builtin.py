"""Built-in networks: torchvision's parameter totals, MACs and receptive fields (no torch)."""

from __future__ import annotations

import pytest

from trainer.exercises.networks import (
    BUILTIN_NETWORKS,
    NetworkError,
    analyze,
    builtin_network,
    resolve_network,
)
from trainer.exercises.solver import conv, pool, receptive_field_table

# torchvision's model docs: parameters, and "GFLOPS" (which are GMACs: conv + linear)
TORCHVISION = {
    "alexnet": (61_100_840, 0.71),
    "vgg16": (138_357_544, 15.47),
    "resnet18": (11_689_512, 1.81),
    "resnet50": (25_557_032, 4.09),
    "mobilenet_v2": (3_504_872, 0.30),
}

# conv + linear multiply-accumulates of this implementation, per 3x224x224 sample
MACS = {
    "alexnet": 714_188_480,
    "vgg16": 15_470_264_320,
    "resnet18": 1_814_073_344,
    "resnet50": 4_089_184_256,
    "mobilenet_v2": 300_774_272,
}


@pytest.fixture(scope="module")
def analyses():
    return {name: analyze(builder()) for name, builder in BUILTIN_NETWORKS.items()}


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_parameter_totals_are_torchvisions(analyses, name):
    assert analyses[name].total_params == TORCHVISION[name][0]


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_macs_round_to_torchvisions_gflops(analyses, name):
    analysis = analyses[name]
    assert analysis.total_macs == MACS[name]
    assert round(analysis.total_macs / 1e9, 2) == TORCHVISION[name][1]
    assert analysis.total_flops == 2 * analysis.total_macs
    assert analysis.output_shape == (1000,)
    assert analysis.input_shape == (3, 224, 224)
    assert not analysis.warnings


def test_vgg16_receptive_field_212_at_last_maxpool(analyses):
    row = analyses["vgg16"].layer("features.30")
    assert row.type == "maxpool2d"
    assert row.output_shape == (512, 7, 7)
    assert (row.receptive_field, row.jump, row.effective_padding) == ((212, 212), (32, 32),
                                                                     (90, 90))


def test_vgg16_receptive_field_agrees_with_the_solver_stack(analyses):
    layers = []
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"]:
        layers.append(pool(2, 2) if v == "M" else conv(3, 1, 1))
    table = receptive_field_table(layers, 224)
    spatial = [r for r in analyses["vgg16"].layers if r.type in ("conv2d", "maxpool2d")]
    assert len(spatial) == len(table)
    for row, ref in zip(spatial, table, strict=True):
        assert row.receptive_field == (ref.receptive_field,) * 2
        assert row.jump == (ref.jump,) * 2
        assert row.effective_padding == (ref.effective_padding,) * 2
        assert row.output_shape[1:] == (ref.output_size,) * 2


@pytest.mark.parametrize(("name", "layer", "rf", "jump"), [
    ("alexnet", "features.12", 195, 32),
    ("resnet18", "layer4.1.relu2", 435, 32),
    ("resnet50", "layer4.2.relu3", 427, 32),
    ("mobilenet_v2", "features.18.2", 491, 32),
])
def test_known_receptive_fields(analyses, name, layer, rf, jump):
    row = analyses[name].layer(layer)
    assert row.receptive_field == (rf, rf) and row.jump == (jump, jump)


def test_residual_adds_take_the_longer_branch(analyses):
    resnet = analyses["resnet18"]
    add = resnet.layer("layer2.0.add")
    assert add.receptive_field == resnet.layer("layer2.0.bn2").receptive_field
    assert resnet.layer("layer2.0.downsample.1").receptive_field < add.receptive_field
    assert add.inputs == ["layer2.0.bn2", "layer2.0.downsample.1"]


def test_classifier_rows_see_the_whole_input(analyses):
    resnet = analyses["resnet18"]
    assert resnet.layer("avgpool").receptive_field is not None
    for name in ("flatten", "fc"):
        row = resnet.layer(name)
        assert row.whole_input and row.receptive_field is None and row.jump is None


def test_bn_counts_learnable_parameters_only(analyses):
    bn = analyses["resnet50"].layer("bn1")
    assert bn.params == 2 * 64 and bn.macs == 0


@pytest.mark.parametrize("spelling", ["resnet18", "ResNet-18", "resnet_18", "RESNET18"])
def test_builtin_lookup_spellings(spelling):
    assert builtin_network(spelling).name == "resnet18"
    assert resolve_network(spelling).name == "resnet18"


def test_unknown_builtin_lists_the_names():
    with pytest.raises(NetworkError, match="built-in networks: alexnet, vgg16"):
        builtin_network("resnet19")


def test_builders_are_independent():
    a, b = builtin_network("vgg16"), builtin_network("vgg16")
    a.layers[1].out_channels = 8
    assert b.layers[1].out_channels == 64
