"""The swarm's data is reproducible, evaluation phrasings never reach training, every config is a usable Axolotl config."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from agents.swarm import data, templates
from agents.swarm.commands import INTENTS
from agents.swarm.intents import IntentHead, ngram_features, train_head
from agents.swarm.layout import SWARM_ROLES, folders, write_data
from agents.swarm.runtime import APPROACH_ENV, read_master_config

ROOT = Path(__file__).resolve().parents[1]


def test_same_seed_same_data_and_other_seed_other_data():
    first = [(e.text, e.command, e.args) for e in data.examples("train")]
    assert first == [(e.text, e.command, e.args) for e in data.examples("train")]
    assert first != [(e.text, e.command, e.args) for e in data.examples("train", seed=99)]


def test_evaluation_templates_never_occur_in_training():
    for command in INTENTS:
        train, held_out = templates.split(templates.TEMPLATES[command])
        assert held_out and not {t for t, _ in train} & {t for t, _ in held_out}, command
    train_texts = {e.text.lower() for e in data.examples("train")}
    assert {e.template for e in data.examples("train")}.isdisjoint({e.template for e in data.examples("eval")})
    eval_only = [e for e in data.examples("eval") if "{" in e.template]
    assert sum(e.text.lower() in train_texts for e in eval_only) / len(eval_only) < 0.02


def test_every_command_has_training_and_evaluation_rows():
    for split in ("train", "eval"):
        assert {e.command for e in data.examples(split)} == set(INTENTS)


def test_committed_data_is_what_swarm_data_writes(tmp_path):
    # `smolcord swarm data` regenerates exactly the committed files (configs aside).
    write_data(tmp_path)
    for role, folder in folders(tmp_path).items():
        committed = folders(ROOT)[role]
        for name in ("training_data.jsonl", "eval_data.jsonl"):
            assert (folder / name).read_text() == (committed / name).read_text(), f"{role}/{name}: run `smolcord swarm data`"


@pytest.mark.parametrize("role", [*SWARM_ROLES, "monolithic_baseline", "hybrid_approach"])
def test_each_folder_holds_a_cpu_trainable_axolotl_config_and_chat_rows(role):
    folder = folders(ROOT)[role]
    config = yaml.safe_load((folder / "config.yaml").read_text())
    assert config["base_model"] and config["learning_rate"] and config["adapter"] == "lora"
    for kernel in ("lora_mlp_kernel", "lora_qkv_kernel", "lora_o_kernel", "lora_embedding_kernel"):
        assert config[kernel] is False
    for key, name in (("datasets", "training_data.jsonl"), ("test_datasets", "eval_data.jsonl")):
        (dataset,) = config[key]
        assert dataset["type"] == "chat_template" and dataset["ds_type"] == "json"
        assert (ROOT / dataset["path"]).resolve() == (folder / name).resolve()
    assert "val_set_size" not in config  # eval comes from test_datasets, never both
    assert config["output_dir"].endswith("/output")
    row = json.loads((folder / "training_data.jsonl").read_text().splitlines()[0])
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]


def test_master_config_switches_the_approach_and_the_setting_overrides_it(tmp_path):
    path = tmp_path / "master.yaml"
    path.write_text("current_approach: hybrid_approach\nhybrid_threshold: 0.6\n")
    assert read_master_config(path, env={}).current_approach == "hybrid_approach"
    assert read_master_config(path, env={APPROACH_ENV: "monolithic_baseline"}).current_approach == "monolithic_baseline"
    path.write_text("current_approach: telepathy\n")
    with pytest.raises(ValueError, match="swarm_architecture"):
        read_master_config(path, env={})
    assert read_master_config(ROOT / "master_swarm_config.yaml", env={}).current_approach == "swarm_architecture"


def test_the_head_learns_from_ngrams_alone_and_round_trips(tmp_path):
    texts = [e.text for e in data.examples("train")][::4]
    labels = [e.command for e in data.examples("train")][::4]

    def no_meaning(batch):
        return np.zeros((len(batch), 8), dtype=np.float32)

    head = train_head(texts, labels, (texts[:200], labels[:200]), no_meaning)
    x = np.hstack([no_meaning(texts), 0.8 * ngram_features(texts)])
    accuracy = np.mean([p[0] == y for p, y in zip(head.predict(x), labels, strict=False)])
    assert accuracy > 0.9
    head.save(tmp_path / "head.npz")
    again = IntentHead.load(tmp_path / "head.npz")
    assert again.threshold == head.threshold and np.allclose(again.probabilities(x), head.probabilities(x), atol=1e-5)


def test_the_approach_setting_is_checked_like_every_setting():
    from bot.settings import SettingsError, load_settings

    assert load_settings(env={"SMOLCORD_SWARM_APPROACH": "hybrid_approach"}, dotenv=False).swarm_approach == "hybrid_approach"
    assert load_settings(env={}, dotenv=False).swarm_approach is None
    with pytest.raises(SettingsError, match="SMOLCORD_SWARM_APPROACH"):
        load_settings(env={"SMOLCORD_SWARM_APPROACH": "telepathy"}, dotenv=False)
