"""Hidden tests for model.py: both detectors' outputs, and the forensic layers ForgeryNet is built on. 3 points."""
import pytest


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=5)
def test_forgery_net_outputs(structure):
    out = structure
    assert out["forgery"] == {"score": [2], "mask": [2, 1, 64, 64]}, (
        f"ForgeryNet on (2, 3, 64, 64) returned {out['forgery']}; expected score (2,) and mask (2, 1, 64, 64)")
    assert out["forgery_96"] == {"score": [3], "mask": [3, 1, 96, 64]}, (
        f"ForgeryNet on (3, 3, 96, 64) returned {out['forgery_96']}; the mask is at the input resolution")
    assert out["bayar"] >= 1 and out["srm"] >= 1, (
        f"ForgeryNet holds {out['srm']} SRMConv2d and {out['bayar']} BayarConv2d layers; it should use both")
    assert out["srm_used"] is True and out["bayar_used"] is True, (
        "ForgeryNet's output does not change when its SRMConv2d or BayarConv2d outputs are replaced by zeros: "
        "forward must feed both residuals to the rest of the network")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=10, cuda=5)
def test_generated_detector_output(structure):
    out = structure
    assert out["generated"] == [2], f"GeneratedImageDetector on two images returned shape {out['generated']}; expected (2,)"
