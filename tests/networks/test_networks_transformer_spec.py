"""Transformer spec files, their errors (``path:line:col: error: …``) and ``trainer solve``
for Transformers.  No torch here: the numbers are checked against real models in
``test_networks_transformers.py``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli.main import main
from trainer.exercises.networks import NetworkError
from trainer.exercises.networks.transformer import (
    BUILTIN_TRANSFORMERS,
    TransformerSpec,
    analyze_transformer,
    builtin_transformer,
)
from trainer.exercises.networks.transformer_spec import (
    load_transformer_spec,
    parse_transformer_spec,
    resolve_transformer,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "networks"

# Hugging Face's and torchvision's totals (test_networks_transformers.py builds the models)
TOTALS = {"gpt2": 124_439_808, "bert-base": 109_482_240, "llama2-7b": 6_738_415_616,
          "vit-b16": 86_567_656}


@pytest.mark.parametrize("name", list(BUILTIN_TRANSFORMERS))
def test_builtin_totals(name: str) -> None:
    analysis = analyze_transformer(builtin_transformer(name))
    assert analysis.total_params == TOTALS[name]
    assert sum(row.params for row in analysis.components) == analysis.total_params
    assert sum(analysis.groups.values()) == analysis.total_params


def test_llama2_7b_kv_cache_is_half_a_mebibyte_per_token() -> None:
    # 2 · 32 layers · 32 KV heads · 128 dims · 2 bytes
    analysis = analyze_transformer(builtin_transformer("llama2-7b"), context=4096, batch=2,
                                   dtype="bf16")
    assert analysis.kv_cache is not None
    assert analysis.kv_cache.bytes_per_token == 2 * 32 * 32 * 128 * 2 == 512 * 1024
    assert analysis.kv_cache.bytes == 512 * 1024 * 4096 * 2


def test_the_example_spec_and_its_toml_twin() -> None:
    spec = load_transformer_spec(DATA / "tiny_llama.yaml")
    assert (spec.name, spec.n_kv_heads, spec.d_head, spec.ffn) == ("tiny-llama", 2, 64, "swiglu")
    toml = parse_transformer_spec(
        'type = "transformer"\nname = "tiny-llama"\nlayers = 8\nd_model = 512\nheads = 8\n'
        'kv_heads = 2\nffn = "swiglu"\nffn_width = 1408\nvocab = 32000\npositions = "rope"\n'
        'max_positions = 2048\nnorm = "rmsnorm"\nbias = false\ntied_embeddings = false\n',
        fmt="toml")
    assert toml == spec


def test_bias_mapping_and_shorthand() -> None:
    spec = parse_transformer_spec("type: transformer\nlayers: 1\nd_model: 8\nheads: 2\n"
                                  "vocab: 5\npositions: rope\nbias: {qkv: true, out: false, "
                                  "ffn: false}\n")
    assert (spec.bias.qkv, spec.bias.out, spec.bias.ffn) == (True, False, False)
    off = parse_transformer_spec("type: transformer\nlayers: 1\nd_model: 8\nheads: 2\n"
                                 "vocab: 5\npositions: rope\nbias: false\n")
    assert (off.bias.qkv, off.bias.out, off.bias.ffn) == (False, False, False)


BASE = "type: transformer\nlayers: 2\nd_model: 64\nheads: 4\nvocab: 10\nmax_positions: 16\n"

ERRORS = [
    # (yaml text, line:col, message fragment)
    (BASE.replace("heads: 4", "heads: 3"), "4:1", "heads=3 does not divide d_model=64"),
    (BASE + "kv_heads: 3\n", "7:1", "kv_heads=3 does not divide heads=4"),
    (BASE + "kv_heads: 0\n", "7:1", "kv_heads must be a positive integer, got 0"),
    (BASE.replace("layers: 2", "layers: -1"), "2:1", "layers must be a positive integer"),
    (BASE.replace("d_model: 64", "d_modle: 64"), "3:1", "unknown key 'd_modle' (did you mean "
                                                        "'d_model'?"),
    (BASE + "bias:\n  qkv: true\n  outt: false\n", "9:3", "unknown bias group 'bias.outt'"),
    (BASE + "norm: batchnorm\n", "7:1", "norm: 'batchnorm' is not one of"),
    (BASE + "layers: 3\n", "7:1", "duplicate key 'layers' (first given at line 2)"),
    (BASE.replace("layers: 2", "layers: 2.5"), "2:1", "layers: Input should be a valid integer"),
    (BASE + "positions: rope\nhead_dim: 5\n", "8:1", "head_dim=5 must be even"),
    (BASE.replace("max_positions: 16\n", ""), "1:1", "learned positions need max_positions"),
    (BASE.replace("vocab: 10\n", "") + "head: lm\n", "6:1", "an LM head needs vocab"),
    (BASE + "image_size: 32\npatch_size: 5\n", "8:1", "patch_size=5 does not divide"),
    ("type: transformer\nlayers: [2\nheads: 4\n", "3:6", "invalid YAML"),
    ("- 1\n- 2\n", "1:1", "a Transformer spec is a mapping"),
]


@pytest.mark.parametrize(("text", "where", "fragment"), ERRORS)
def test_errors_point_at_line_and_column(text: str, where: str, fragment: str) -> None:
    with pytest.raises(NetworkError) as info:
        parse_transformer_spec(text, source="net.yaml")
    message = str(info.value)
    assert message.startswith(f"net.yaml:{where}: error: "), message
    assert fragment in message
    assert "\n" not in message


def test_toml_errors_point_at_line_and_column() -> None:
    text = 'type = "transformer"\nlayers = 2\nd_model = 64\n  heads = 5\n'
    with pytest.raises(NetworkError, match=r"^net\.toml:4:3: error: heads=5 does not divide"):
        parse_transformer_spec(text, fmt="toml", source="net.toml")
    with pytest.raises(NetworkError, match=r"^net\.toml:3:11: error: invalid TOML"):
        parse_transformer_spec('type = "transformer"\nlayers = 2\nd_model = \n', fmt="toml",
                               source="net.toml")


def test_programmatic_specs_are_checked_too() -> None:
    with pytest.raises(NetworkError, match="kv_heads=5 does not divide heads=8"):
        analyze_transformer(TransformerSpec(layers=1, d_model=64, heads=8, kv_heads=5,
                                            vocab=3, positions="rope"), context=4)
    spec = builtin_transformer("gpt2")
    with pytest.raises(NetworkError, match="exceeds the 1024 learned positions"):
        analyze_transformer(spec, context=1025)
    with pytest.raises(NetworkError, match="context must be a positive integer"):
        analyze_transformer(spec, context=0)
    with pytest.raises(NetworkError, match="batch must be a positive integer"):
        analyze_transformer(spec, batch=0)


def test_resolve_tells_transformers_from_cnns(tmp_path: Path) -> None:
    assert resolve_transformer("GPT2") == builtin_transformer("gpt2")
    assert resolve_transformer("llama2_7b") == builtin_transformer("llama2-7b")
    assert resolve_transformer("resnet18") is None
    assert resolve_transformer(DATA / "tiny_resnet.yaml") is None
    assert resolve_transformer(str(DATA / "aspp_separable.toml")) is None
    assert resolve_transformer(str(DATA / "tiny_llama.yaml")) is not None
    untyped = tmp_path / "untyped.yaml"  # a d_model is enough
    untyped.write_text("layers: 1\nd_model: 8\nheads: 2\nvocab: 3\npositions: rope\n",
                       encoding="utf-8")
    assert resolve_transformer(str(untyped)) is not None
    broken = tmp_path / "broken.yaml"  # does not parse, but says what it is: a column
    broken.write_text("type: transformer\nlayers: [2\nheads: 4\n", encoding="utf-8")
    with pytest.raises(NetworkError, match=r"broken\.yaml:3:6: error: invalid YAML"):
        resolve_transformer(str(broken))


# --- the command line -----------------------------------------------------------------------


def _solve(tmp_path: Path, *args: str) -> int:
    return main(["--home", str(tmp_path), "solve", *args])


def test_solve_json_has_totals_and_component_rows(tmp_path: Path, capsys) -> None:
    assert _solve(tmp_path, "--net", "llama2-7b", "--json", "--context", "2048",
                  "--batch", "3", "--dtype", "fp32") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == TOTALS["llama2-7b"]
    assert data["kv_cache"]["bytes"] == 2 * 32 * 32 * 128 * 4 * 2048 * 3
    rows = {row["component"]: row for row in data["components"]}
    assert rows["attention"]["count"] == 32 and rows["head"]["params"] == 32000 * 4096
    assert (data["context"], data["batch"], data["dtype"]) == (2048, 3, "fp32")
    assert {"per_token", "per_token_kaplan", "matmul_per_token",
            "matmul_per_sequence"} <= set(data["flops"])
    assert [m["bytes_per_param"] for m in data["training_memory"]] == [16, 16]


@pytest.mark.parametrize("name", list(BUILTIN_TRANSFORMERS))
def test_solve_table(tmp_path: Path, capsys, name: str) -> None:
    assert _solve(tmp_path, "--net", name) == 0
    out = capsys.readouterr().out
    assert f"params {TOTALS[name]:,}" in out
    assert ("KV cache: none" in out) == (name in ("bert-base", "vit-b16"))


def test_solve_errors_are_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("heads: 4", "heads: 3"), encoding="utf-8")
    assert _solve(tmp_path, str(bad)) == 2
    err = capsys.readouterr().err
    assert err == f"trainer: {bad}:4:1: error: heads=3 does not divide d_model=64 (or give " \
                  f"head_dim)\n"
    assert _solve(tmp_path, "--net", "gpt2", "--context", "4096") == 2
    assert "exceeds the 1024 learned positions" in capsys.readouterr().err
    assert _solve(tmp_path, "--net", "resnet18", "--context", "8") == 2
    assert "--context: for Transformers only" in capsys.readouterr().err
    assert _solve(tmp_path, "--net", "gpt2", "--input", "3,32,32") == 2
    assert "--input is for CNNs" in capsys.readouterr().err
    assert _solve(tmp_path, "--net", "gpt3") == 2
    assert "gpt2, bert-base, llama2-7b, vit-b16" in capsys.readouterr().err


def test_solve_does_not_import_torch_or_transformers(tmp_path: Path) -> None:
    code = (f"import sys; from trainer.cli.main import main; "
            f"main(['--home', {str(tmp_path)!r}, 'solve', '--net', 'gpt2']); "
            f"bad = {{'torch', 'transformers', 'torchvision'}} & set(sys.modules); "
            f"assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# --- the documentation ----------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "network-spec.md"


def test_doc_transformer_examples_parse() -> None:
    import re

    text = DOC.read_text(encoding="utf-8")
    blocks = [body for _, body in re.findall(r"```(yaml)\n(.*?)```", text, flags=re.S)
              if "type: transformer" in body]
    assert blocks
    for body in blocks:
        analyze_transformer(parse_transformer_spec(body))


@pytest.mark.parametrize("name", list(BUILTIN_TRANSFORMERS))
def test_doc_table_of_builtin_transformers(name: str) -> None:
    row = next(line for line in DOC.read_text(encoding="utf-8").splitlines()
               if line.startswith(f"| `{name}` |"))
    analysis = analyze_transformer(builtin_transformer(name))
    cells = [cell.strip() for cell in row.split("|")[3:7]]
    kv = analysis.kv_cache
    assert cells == [f"{analysis.total_params:,}", f"{analysis.non_embedding_params:,}",
                     f"{analysis.context:,}", f"{kv.bytes_per_token:,}" if kv else "–"]
