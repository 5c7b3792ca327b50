"""Hand-checked textbook values and properties of the solver (no torch)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.exercises import solver as S
from trainer.exercises.solver import SolverError

VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16_layers() -> list[S.Layer]:
    return [S.pool(2, name="pool") if v == "M" else S.conv(3, 1, 1, name="conv3") for v in VGG16]


def test_every_public_name_is_documented() -> None:
    for name in S.__all__:
        doc = getattr(S, name).__doc__
        assert doc and doc.strip() and not doc.startswith(name + "("), name


# ----------------------------------------------------------------------------- receptive field

def test_vgg16_receptive_field_at_pool5_is_212() -> None:
    rf = S.stack_receptive_field(vgg16_layers())
    assert rf == S.ReceptiveField(size=212, stride=32, padding=90)  # Araujo et al., Distill 2019


def test_vgg16_table_rows() -> None:
    table = S.receptive_field_table(vgg16_layers(), input_size=224)
    assert [row.receptive_field for row in table[:3]] == [3, 5, 6]
    assert [row.output_size for row in table if row.name == "pool"] == [112, 56, 28, 14, 7]
    assert table[-1].jump == 32 and table[-1].effective_padding == 90
    assert table[-1].layer_index == 17


def test_vgg16_central_unit_matches_footprint() -> None:
    layers = vgg16_layers()
    # unit 3 of 7 sees inputs 3*32 - 90 = 6 .. 217: inside 224, so not clipped
    assert S.empirical_receptive_field(layers, input_size=224) == (212, 6)
    assert S.empirical_receptive_field(layers) == (212, -90)
    # a corner unit is clipped by the border
    assert S.empirical_receptive_field(layers, unit=0, input_size=224) == (212 - 90, 0)


def test_resnet_stem() -> None:
    # 7x7 stride-2 conv (pad 3) then 3x3 stride-2 max pool (pad 1)
    layers = [S.conv(7, 2, 3), S.pool(3, 2, 1)]
    assert S.stack_receptive_field(layers) == (11, 4, 5)
    assert [r.output_size for r in S.receptive_field_table(layers, 224)] == [112, 56]


DETERMINISTIC = settings(database=None, derandomize=True, deadline=None)


@DETERMINISTIC
@given(st.integers(1, 30))
def test_stack_of_3x3_stride_1_has_r_2n_plus_1(n: int) -> None:
    layers = [S.conv(3, 1, 1)] * n
    assert S.stack_receptive_field(layers).size == 2 * n + 1
    assert S.empirical_receptive_field(layers) == (2 * n + 1, -n)


def test_dilated_stack_grows_exponentially() -> None:
    # WaveNet/context module: 3x3 convs with dilation 1, 2, 4, 8 -> r = 31
    layers = [S.conv(3, 1, d, d) for d in (1, 2, 4, 8)]
    assert S.stack_receptive_field(layers) == (31, 1, 15)


layer_strategy = st.builds(
    lambda k, s, p, d: S.Layer(k, s, p, d),
    st.integers(1, 7), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3))


@settings(DETERMINISTIC, max_examples=150)
@given(st.lists(layer_strategy, min_size=1, max_size=6), st.integers(0, 5))
def test_footprint_equals_closed_forms(layers: list[S.Layer], unit: int) -> None:
    rf = S.stack_receptive_field(layers)
    size, first = S.empirical_receptive_field(layers, unit=unit)
    assert (size, first) == (rf.size, unit * rf.stride - rf.padding)


def test_layer_validation() -> None:
    with pytest.raises(SolverError):
        S.Layer(0)
    with pytest.raises(SolverError):
        S.receptive_field_table([S.conv(5)], input_size=3)  # output would be empty


# ----------------------------------------------------------------------------- sizes

def test_conv_sizes() -> None:
    assert S.conv2d_output_size(32, 3, 1, 1) == (32, 32)
    assert S.conv2d_output_size(224, 7, 2, 3) == (112, 112)
    assert S.conv2d_output_size((5, 7), 3, padding="valid") == (3, 5)
    assert S.conv2d_output_size(10, 4, padding="same", dilation=3) == (10, 10)
    assert S.conv1d_output_size(100, 5, stride=2, dilation=2) == 46
    assert S.same_padding(4) == ((1, 2), (1, 2))  # the extra zero goes right/bottom
    assert S.same_padding((3, 4), (2, 1)) == ((2, 2), (1, 2))


def test_conv_errors() -> None:
    with pytest.raises(SolverError, match="strided"):
        S.conv2d_output_size(8, 3, stride=2, padding="same")
    with pytest.raises(SolverError, match="divisible"):
        S.conv2d_output_size(8, 3, in_channels=3, out_channels=4, groups=2)
    with pytest.raises(SolverError, match="Kernel size can't be greater"):
        S.conv2d_output_size(2, 3)
    with pytest.raises(SolverError, match="negative padding"):
        S.conv2d_output_size(8, 3, padding=-1)


def test_pool_sizes_and_ceil_mode_rule() -> None:
    assert S.max_pool2d_output_size(112, 3, 2, 1) == (56, 56)
    assert S.max_pool2d_output_size(5, 2, 2, ceil_mode=True) == (3, 3)
    # ceil gives 4 windows, but the 4th would start at 6 = 5 + pad (right padding): dropped
    assert S.max_pool2d_output_size(5, 2, 2, 1, ceil_mode=True) == (3, 3)
    assert S.pool_output_length(5, 2, 2, 1, ceil_mode=False) == 3
    assert S.max_pool2d_output_size(6, 3, 2, 1, ceil_mode=True) == (4, 4)
    assert S.avg_pool2d_output_size(7, 3, padding=1) == (3, 3)  # stride defaults to kernel


def test_pool_padding_limit_is_half_the_kernel() -> None:
    assert S.max_pool2d_output_size(8, 4, 1, 2) == (9, 9)  # p = k/2 allowed
    with pytest.raises(SolverError, match="half"):
        S.max_pool2d_output_size(8, 3, 1, 2)
    with pytest.raises(SolverError, match="half"):  # dilation does not relax k // 2
        S.max_pool2d_output_size(8, 3, 1, 2, dilation=2)
    with pytest.raises(SolverError, match="divisor"):
        S.avg_pool2d_output_size(8, 2, divisor_override=0)


def test_conv_transpose_sizes() -> None:
    assert S.conv_transpose2d_output_size(4, 4, 2, 1) == (8, 8)  # DCGAN upsampling block
    assert S.conv_transpose2d_output_size(3, 3, 2, 1, 1) == (6, 6)
    assert S.conv_transpose2d_output_size(3, 3, 1, 0, 2, dilation=3) == (11, 11)  # op < dilation
    with pytest.raises(SolverError, match="output padding"):
        S.conv_transpose2d_output_size(3, 3, 2, 0, 2)


def test_other_sizes() -> None:
    assert S.adaptive_avg_pool2d_output_size((13, 9), (7, None)) == (7, 9)
    assert S.upsample_output_size(5, scale_factor=1.7) == (8, 8)
    assert S.upsample_output_size((3, 4), size=(6, 9)) == (6, 9)
    with pytest.raises(SolverError):
        S.upsample_output_size(5, size=3, scale_factor=2.0)
    with pytest.raises(SolverError, match="greater than 0"):
        S.upsample_output_size(3, scale_factor=0.3)
    assert S.unfold_output_shape(4, 2, stride=2, channels=3) == (12, 4)
    assert S.unfold_num_blocks((5, 6), 3, padding=1) == 30


# ----------------------------------------------------------------------------- params / MACs

def test_vgg16_params_and_macs() -> None:
    params, macs, c, size = 0, 0, 3, 224
    for v in VGG16:
        if v == "M":
            size //= 2
            continue
        params += S.conv2d_params(c, v, 3)
        macs += S.conv2d_macs(c, v, 3, S.conv2d_output_size(size, 3, 1, 1))
        c = v
    for fin, fout in [(512 * 7 * 7, 4096), (4096, 4096), (4096, 1000)]:
        params += S.linear_params(fin, fout)
        macs += S.linear_macs(fin, fout)
    assert params == 138_357_544
    assert macs == 15_470_264_320  # "15.5 GMACs"
    assert S.flops(macs) == 2 * macs


def test_conv_params() -> None:
    assert S.conv2d_params(3, 64, 3) == 1_792
    assert S.conv2d_params(64, 64, 3, groups=64, bias=False) == 576  # depthwise
    assert S.conv2d_macs(3, 64, 3, (224, 224)) == 224 * 224 * 64 * 27
    assert S.conv_transpose2d_params(128, 64, 4, bias=False) == 128 * 64 * 16
    assert S.conv_transpose2d_macs(128, 64, 4, 8) == 64 * 128 * 64 * 16


@DETERMINISTIC
@given(st.integers(1, 512), st.integers(1, 512), st.integers(1, 9))
def test_separable_ratio_is_one_over_cout_plus_one_over_k2(cin: int, cout: int, k: int) -> None:
    ratio = S.separable_cost_ratio(cin, cout, k)
    assert ratio == Fraction(1, cout) + Fraction(1, k * k)
    assert ratio == S.separable_cost_ratio_formula(cout, k)
    macs = Fraction(S.depthwise_separable_macs(cin, cout, k, 7),
                    S.conv2d_macs(cin, cout, k, 7))
    assert macs == ratio


def test_mobilenet_example() -> None:
    # 3x3, 512 -> 512: about 8-9 times fewer multiply-adds (MobileNet, section 3.1)
    assert S.separable_cost_ratio(512, 512, 3) == Fraction(1, 512) + Fraction(1, 9)
    assert S.depthwise_separable_params(512, 512, 3, bias=False) == 512 * 9 + 512 * 512


def test_norm_counts() -> None:
    assert S.batchnorm2d_counts(64) == S.BatchNormCounts(128, 129, 3)
    assert S.batchnorm2d_counts(64, affine=False) == (0, 129, 3)
    assert S.batchnorm2d_counts(64, track_running_stats=False) == (128, 0, 0)
    assert S.layernorm_params(768) == 1_536
    assert S.layernorm_params([4, 5], bias=False) == 20
    assert S.layernorm_params(768, elementwise_affine=False) == 0


# ----------------------------------------------------------------------------- pooling

def test_max_pool_gradient_goes_to_first_maximum() -> None:
    x = np.array([[1.0, 3.0], [3.0, 2.0]])
    values, idx = S.max_pool2d_with_indices(x, 2)
    assert values.tolist() == [[3.0]] and idx.tolist() == [[1]]
    grad = S.max_pool2d_backward(np.array([[5.0]]), x, 2)
    assert grad.tolist() == [[0.0, 5.0], [0.0, 0.0]]


def test_overlapping_max_windows_add_up() -> None:
    x = np.array([[0.0, 9.0, 0.0, 0.0]])
    grad = S.max_pool2d_backward(np.ones((1, 3)), x, (1, 2), 1)
    assert grad.tolist() == [[0.0, 2.0, 1.0, 0.0]]


def test_max_pool_padding_never_wins() -> None:
    x = np.full((2, 2), -np.inf)
    values, idx = S.max_pool2d_with_indices(x, 3, 1, 1)
    assert np.all(values == -np.inf)
    assert idx.tolist() == [[0, 0], [0, 0]]  # first valid element of each window


def test_max_pool_empty_dilated_window() -> None:
    x = np.arange(6.0).reshape(3, 2)
    values, _ = S.max_pool2d_with_indices(x, (1, 2), padding=(0, 1), dilation=(1, 3))
    assert np.all(values == -np.inf)  # taps at -1 and 2 miss the width-2 input
    with pytest.raises(SolverError, match="no input element"):
        S.max_pool2d_backward(np.ones((3, 1)), x, (1, 2), padding=(0, 1), dilation=(1, 3))


def test_avg_pool_count_include_pad_and_divisor() -> None:
    x = np.ones((3, 3))
    assert S.avg_pool2d(x, 3, 1, 1)[0, 0] == pytest.approx(4 / 9)
    assert S.avg_pool2d(x, 3, 1, 1, count_include_pad=False)[0, 0] == 1.0
    assert S.avg_pool2d(x, 3, 1, 1, divisor_override=2)[1, 1] == 4.5
    # ceil-mode edge window: input 5, k 2, s 2 -> last window covers only x[4]
    row = np.arange(5.0)[None, :]
    assert S.avg_pool2d(row, (1, 2), ceil_mode=True).tolist() == [[0.5, 2.5, 4.0]]
    grad = S.avg_pool2d_backward(np.ones((1, 3)), (1, 5), (1, 2), ceil_mode=True)
    assert grad.tolist() == [[0.5, 0.5, 0.5, 0.5, 1.0]]


def test_adaptive_windows_overlap() -> None:
    assert S.adaptive_pool_bounds(5, 3) == [(0, 2), (1, 4), (3, 5)]
    x = np.arange(5.0)[None, :]
    assert S.adaptive_avg_pool2d(x, (1, 3)).tolist() == [[0.5, 2.0, 3.5]]
    grad = S.adaptive_avg_pool2d_backward(np.ones((1, 3)), (1, 5), (1, 3))
    assert np.allclose(grad, [[0.5, 0.5 + 1 / 3, 1 / 3, 1 / 3 + 0.5, 0.5]])


# ----------------------------------------------------------------------------- normalisation

def test_batchnorm_train_updates_running_stats_with_unbiased_variance() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1, 1)
    r = S.batch_norm2d_train(x, eps=0.0)
    assert r.batch_mean.tolist() == [2.5] and r.batch_var.tolist() == [1.25]
    assert np.allclose(r.output.ravel(), (x.ravel() - 2.5) / np.sqrt(1.25))
    assert np.allclose(r.running_mean, [0.25])
    assert np.allclose(r.running_var, [0.9 + 0.1 * 5 / 3])
    assert r.num_batches_tracked == 1
    cumulative = S.batch_norm2d_train(x, momentum=None, num_batches_tracked=3)
    assert np.allclose(cumulative.running_mean, [0.25 * 2.5])  # factor 1 / 4
    with pytest.raises(SolverError, match="more than 1 value"):
        S.batch_norm2d_train(np.ones((1, 2, 1, 1)))


def test_batchnorm_eval_uses_running_stats() -> None:
    x = np.full((1, 1, 1, 2), 3.0)
    y = S.batch_norm2d_eval(x, [1.0], [4.0], [2.0], [0.5], eps=0.0)
    assert y.tolist() == [[[[2.5, 2.5]]]]  # (3 - 1) / sqrt(4) * 2 + 0.5


def test_min_max_and_z_score() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert np.allclose(S.min_max_normalize(x), [0.0, 1 / 3, 2 / 3, 1.0])
    assert np.allclose(S.min_max_normalize(x, -1, 1), [-1.0, -1 / 3, 1 / 3, 1.0])
    z = S.z_score_normalize(x)
    assert np.allclose(z, (x - 2.5) / np.sqrt(1.25))  # population std, not sqrt(5/3)
    assert z.std() == pytest.approx(1.0)
    with pytest.raises(SolverError):
        S.z_score_normalize(np.ones(3))
    with pytest.raises(SolverError):
        S.min_max_normalize(np.ones((2, 2)), axis=0)


# ----------------------------------------------------------------------------- upsampling

def test_nearest_and_bilinear() -> None:
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert S.upsample_nearest(x, scale_factor=2).tolist() == [
        [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    row = np.array([[0.0, 1.0]])
    assert S.upsample_bilinear(row, size=(1, 3), align_corners=True).tolist() == [[0, 0.5, 1]]
    assert S.upsample_bilinear(row, size=(1, 4)).tolist() == [[0, 0.25, 0.75, 1]]
    with pytest.raises(SolverError, match="align_corners"):
        S.interpolate(x, scale_factor=2, mode="nearest", align_corners=True)


def test_scale_factor_drives_source_index() -> None:
    # 5 -> int(5 * 1.7) = 8 pixels; sources use 1/1.7, not 5/8
    assert S.nearest_source_indices(5, 8, 1.7).tolist() == [0, 0, 1, 1, 2, 2, 3, 4]
    assert S.nearest_source_indices(5, 8).tolist() == [0, 0, 1, 1, 2, 3, 3, 4]


def test_nearest_kernel_choice_depends_on_output_size() -> None:
    # ATen: H_out + W_out <= 128 -> float32 indices, else double: 8 -> 55 nearest-exact
    small = S.nearest_source_indices(8, 55, exact=True, small_output=True)
    large = S.nearest_source_indices(8, 55, exact=True, small_output=False)
    assert small[27] == 3 and large[27] == 4  # (27 + 0.5) * 8 / 55 == 4 exactly
    x = np.arange(8.0)[None, :]
    assert S.interpolate(x, size=(1, 55), mode="nearest-exact")[0, 27] == 3
    assert S.interpolate(x, size=(90, 55), mode="nearest-exact")[0, 27] == 4


def test_transposed_conv_examples() -> None:
    one = np.ones((1, 1))
    assert S.conv_transpose2d(one, np.ones((3, 3))).tolist() == np.ones((3, 3)).tolist()
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = S.conv_transpose2d(x, np.ones((2, 2)), stride=2)
    assert y.tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    y = S.conv_transpose2d(x, np.ones((3, 3)), stride=2, padding=1, output_padding=1)
    assert y.shape == (4, 4) and y[1, 1] == 1 + 2 + 3 + 4


transposed = st.fixed_dictionaries({
    "h": st.integers(1, 5), "w": st.integers(1, 5), "k": st.integers(1, 4),
    "s": st.integers(1, 3), "d": st.integers(1, 3), "p": st.integers(0, 3),
    "cin": st.integers(1, 3), "cout": st.integers(1, 3), "seed": st.integers(0, 10**6)})


@settings(DETERMINISTIC, max_examples=150)
@given(transposed, st.data())
def test_zero_insertion_equals_scatter(cfg: dict, data: st.DataObject) -> None:
    op = data.draw(st.integers(0, max(cfg["s"], cfg["d"]) - 1))
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal((cfg["cin"], cfg["h"], cfg["w"]))
    w = rng.standard_normal((cfg["cin"], cfg["cout"], cfg["k"], cfg["k"]))
    args = (x, w, rng.standard_normal(cfg["cout"]), cfg["s"], cfg["p"], op, cfg["d"])
    try:
        a = S.conv_transpose2d_zero_insertion(*args)
    except SolverError:
        with pytest.raises(SolverError):
            S.conv_transpose2d_scatter(*args)
        return
    b = S.conv_transpose2d_scatter(*args)
    assert a.shape == (cfg["cout"], *S.conv_transpose2d_output_size(
        (cfg["h"], cfg["w"]), cfg["k"], cfg["s"], cfg["p"], op, cfg["d"]))
    assert np.allclose(a, b, rtol=1e-12, atol=1e-12)


def test_transposed_conv_is_the_adjoint_of_conv() -> None:
    # <conv(y), x> == <y, conv_transpose(x)> for a stride-2, padded conv
    rng = np.random.default_rng(0)
    w = rng.standard_normal((1, 1, 3, 3))
    y = rng.standard_normal((1, 7, 7))
    xt = rng.standard_normal((1, 4, 4))
    back = S.conv_transpose2d(xt, w, stride=2, padding=1)
    assert back.shape == (1, 7, 7)
    padded = np.pad(y[0], 1)
    conv = np.array([[np.sum(padded[2 * i:2 * i + 3, 2 * j:2 * j + 3] * w[0, 0])
                      for j in range(4)] for i in range(4)])
    assert np.isclose(np.sum(conv * xt[0]), np.sum(y[0] * back[0]))
