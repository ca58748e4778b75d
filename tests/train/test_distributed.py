"""DDP on 2 gloo processes (CPU): gradients equal one process on the combined batch."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from litclip.models import load_model
from litclip.train.distributed import (
    DistEnv,
    init_distributed,
    mean_across_ranks,
    seed_everything,
)
from litclip.train.losses import create_objective
from litclip.train.similarity import SelipTargets

CAPTIONS = [
    "axial mri of a left frontal glioma",
    "axial mri of a left frontal glioma.",  # near duplicates
    "chest radiograph with right lower lobe consolidation",
    "bar chart of survival by group",
    "coronal ct showing a renal cyst",
    "sagittal t1 image of the lumbar spine",
    "histology slide with mitotic figures",
    "flow diagram of patient selection",
]


def _grads(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}


def _worker(rank: int, world: int, init_file: str, out_dir: str, loss_name: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        torch.manual_seed(0)
        lm = load_model("litclip-micro")
        ref = copy.deepcopy(lm.model)
        images = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(1))
        tokens = lm.tokenizer(CAPTIONS)
        targets = SelipTargets(CAPTIONS, weight=1.0, threshold=0.3)  # syntactic only: no encoder
        per = 8 // world
        local = slice(rank * per, (rank + 1) * per)
        model = lm.model.train()
        model.output_dict = ref.output_dict = True
        ddp = torch.nn.parallel.DistributedDataParallel(model)
        objective = create_objective(loss_name, rank, world, lambda: targets)
        loss = objective(ddp(images[local], tokens[local]), list(range(8)))["loss"]
        loss.backward()
        single = create_objective(loss_name, 0, 1, lambda: targets)
        ref_loss = single(ref.train()(images, tokens), list(range(8)))["loss"]
        ref_loss.backward()
        got, want = _grads(model), _grads(ref)
        diff = max(float((got[k] - want[k]).abs().max()) for k in want)
        scale = max(float(want[k].abs().max()) for k in want)
        env = DistEnv(rank=rank, world_size=world)
        logged = mean_across_ranks({"loss": float(loss)}, env)["loss"]  # what metrics.jsonl gets
        result = {"keys_match": sorted(got) == sorted(want), "max_diff": diff, "max_grad": scale}
        result |= {"logged": logged, "own": float(loss), "single": float(ref_loss)}
        Path(out_dir, f"rank{rank}.json").write_text(json.dumps(result))
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("loss_name", ["clip", "selip"])
def test_ddp_gradients_equal_single_process(loss_name: str, tmp_path: Path) -> None:
    # fork: the children inherit the imported modules (a spawn re-imports torch + open_clip).
    args = (2, str(tmp_path / "init"), str(tmp_path), loss_name)
    mp.start_processes(_worker, args=args, nprocs=2, join=True, start_method="fork")
    shares = []
    for rank in (0, 1):
        res = json.loads((tmp_path / f"rank{rank}.json").read_text())
        shares.append(res["own"])
        assert res["keys_match"] and res["max_grad"] > 0
        assert res["max_diff"] <= 1e-5 * max(1.0, res["max_grad"]), res
        # the logged loss is the whole batch's, as on one process (a rank's own share is not)
        assert res["logged"] == pytest.approx(res["single"], rel=1e-5), res
    assert shares[0] != pytest.approx(shares[1])  # the ranks' shares differ: the mean matters


def test_single_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    env = init_distributed("cpu")
    assert env == DistEnv() and env.is_main and not env.distributed
    seed_everything(5)
    a = torch.rand(2)
    seed_everything(5)
    torch.testing.assert_close(torch.rand(2), a)
