"""Plausible wrong submissions for assignment 5, as small edits of the reference solution.

Data only (no tests here): each mutant replaces `old` by `new` once in `file` (a path inside
solutions/a5_forgery/) and names the hidden tests that must then fail. None needs training except the
training loop without constrain(): the grader must catch each mistake directly, not only through a lower AUC.
"""
from harness import Mutant

MUTANTS = [
    # The SRM kernels without their normalisation (1/4, 1/12, 1/2).
    Mutant("srm_kernels_unnormalised", "filters.py", "kernels = np.stack([k1, k2, k3 / 2]).astype(np.float32)",
           "kernels = np.stack([k1 * 4, k2 * 12, k3]).astype(np.float32)",
           must_fail=["test_srm_kernels", "test_srm_layer_is_fixed_and_sums_colours"]),
    # The SRM bank as a trainable parameter: the optimizer would turn it into something else.
    Mutant("srm_weight_trainable", "filters.py",
           'self.register_buffer("weight", kernels[:, None].repeat(1, 3, 1, 1))',
           "self.weight = nn.Parameter(kernels[:, None].repeat(1, 3, 1, 1))",
           must_fail=["test_srm_layer_is_fixed_and_sums_colours"]),
    # Each SRM kernel applied to one colour channel only (a depthwise bank) instead of summed over the three.
    Mutant("srm_depthwise", "filters.py", "out = F.conv2d(x, self.weight, padding=2)",
           "out = F.conv2d(x, self.weight[:, :1], padding=2, groups=3)",
           must_fail=["test_srm_layer_is_fixed_and_sums_colours"]),
    # The Bayar constraint applied once, at creation, and never again in forward.
    Mutant("bayar_not_reapplied_in_forward", "filters.py",
           "        self.constrain()\n        out = F.conv2d(x, self.weight, padding=self.padding)",
           "        out = F.conv2d(x, self.weight, padding=self.padding)",
           must_fail=["test_bayar_reapplies_the_constraint_after_a_step"]),
    # The normalisation taken before the centre is zeroed: the other weights then do not sum to 1.
    Mutant("bayar_normalised_with_the_centre", "filters.py",
           "        self.weight[:, :, c, c] = 0\n        self.weight /= self.weight.sum(dim=(2, 3), keepdim=True)",
           "        self.weight /= self.weight.sum(dim=(2, 3), keepdim=True)\n        self.weight[:, :, c, c] = 0",
           must_fail=["test_bayar_starts_constrained", "test_bayar_reapplies_the_constraint_after_a_step"]),
    # ELA computed in uint8, where negative differences wrap around.
    Mutant("ela_in_uint8", "filters.py",
           "ela = np.abs(np.asarray(image, dtype=np.float32) - resaved).mean(axis=2)",
           "ela = (np.asarray(image, dtype=np.uint8) - resaved.astype(np.uint8)).mean(axis=2).astype(np.float32)",
           must_fail=["test_error_level"]),
    # ELA re-saved at a fixed quality, whatever was asked.
    Mutant("ela_quality_ignored", "filters.py",
           'Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="JPEG", quality=quality)',
           'Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="JPEG", quality=90)',
           must_fail=["test_error_level[60]"]),
    # The radius rounded instead of truncated.
    Mutant("radius_rounded", "spectrum.py", "radius = np.hypot(yy - H // 2, xx - W // 2).astype(int).ravel()",
           "radius = np.rint(np.hypot(yy - H // 2, xx - W // 2)).astype(int).ravel()",
           must_fail=["test_azimuthal_average_of_a_single_ring", "test_azimuthal_average_batched"]),
    # The FFT averaged without fftshift: the zero frequency sits in a corner, not at the centre of the rings.
    Mutant("fft_without_fftshift", "spectrum.py", "spectrum = np.fft.fftshift(np.fft.fft2(grey), axes=(-2, -1))",
           "spectrum = np.fft.fft2(grey)", must_fail=["test_spectral_features"]),
    # The magnitude used without its log.
    Mutant("spectrum_without_log", "spectrum.py", "features = azimuthal_average(np.log(np.abs(spectrum) + 1e-8))",
           "features = azimuthal_average(np.abs(spectrum))", must_fail=["test_spectral_features"]),
    # Images fed as 0..255 instead of 0..1.
    Mutant("to_tensor_not_scaled", "train.py",
           "x = torch.as_tensor(np.asarray(images), dtype=torch.float32).permute(0, 3, 1, 2).contiguous() / 255",
           "x = torch.as_tensor(np.asarray(images), dtype=torch.float32).permute(0, 3, 1, 2).contiguous()",
           must_fail=["test_to_tensor", "test_predict_forgery_conversions"]),
    # The student's own validation split by patch instead of by photograph.
    Mutant("validation_split_by_patch", "train.py", "is_val = np.isin(photos, held)",
           "is_val = np.random.default_rng(seed).random(len(photos)) < fraction",
           must_fail=["test_validation_split_by_photograph"]),
    # The pixel loss on probabilities through MSE instead of BCE on the logits.
    Mutant("pixel_loss_mse", "train.py",
           'pixels = F.binary_cross_entropy_with_logits(outputs["mask"][:, 0], masks, pos_weight=weight)',
           'pixels = F.mse_loss(torch.sigmoid(outputs["mask"][:, 0]), masks)',
           must_fail=["test_forgery_loss"]),
    # pos_weight left out: the replaced pixels weigh as much as the others.
    Mutant("pixel_loss_without_pos_weight", "train.py",
           'pixels = F.binary_cross_entropy_with_logits(outputs["mask"][:, 0], masks, pos_weight=weight)',
           'pixels = F.binary_cross_entropy_with_logits(outputs["mask"][:, 0], masks)',
           must_fail=["test_forgery_loss"]),
    # The mask logits thresholded at 0.5 before the sigmoid, instead of the sigmoid's probability.
    Mutant("mask_thresholded_before_sigmoid", "train.py",
           'masks.append(torch.sigmoid(o["mask"][:, 0]).cpu())',
           'masks.append((o["mask"][:, 0] > 0.5).float().cpu())',
           must_fail=["test_predict_forgery_conversions"]),
    # predict_generated hands back logits, not probabilities: accuracy at 0.5 is then off.
    Mutant("generated_logits_not_probabilities", "train.py",
           "parts = [torch.sigmoid(model(to_tensor(images[i:i + batch_size]).to(device))).cpu()",
           "parts = [model(to_tensor(images[i:i + batch_size]).to(device)).cpu()",
           must_fail=["test_predict_generated_conversions"]),
    # Prediction in train mode: batch norm then uses each batch's statistics.
    Mutant("predict_in_train_mode", "train.py", "    model.eval()\n    scores, masks = [], []",
           "    scores, masks = [], []", must_fail=["test_predict_forgery_conversions"]),
    # Training not seeded: two calls give two models.
    Mutant("training_not_seeded", "train.py",
           "    torch.manual_seed(seed)\n    rng = np.random.default_rng(seed)\n    x = to_tensor(split[\"images\"])\n"
           "    y = torch.as_tensor(split[\"labels\"], dtype=torch.float32)\n    m = ",
           "    rng = np.random.default_rng(seed)\n    x = to_tensor(split[\"images\"])\n"
           "    y = torch.as_tensor(split[\"labels\"], dtype=torch.float32)\n    m = ",
           must_fail=["test_training_contracts"]),
    # ForgeryNet's forward calls both forensic layers but feeds the raw image on: the filters are there, unused.
    Mutant("forgery_net_ignores_its_filters", "model.py",
           "        f = self.norm(torch.cat([self.srm(x), self.bayar(x)], dim=1))",
           "        self.srm(x), self.bayar(x)\n        f = self.norm(torch.cat([x, x], dim=1))",
           must_fail=["test_forgery_net_outputs"]),
    # The training loop never projects the Bayar layer after an optimizer step (forward still does; OneCycleLR's
    # last steps are so small that the returned weights stay constrained). The one mutant here that trains.
    Mutant("training_without_constrain", "train.py",
           "            for layer in model.modules():\n                if isinstance(layer, BayarConv2d):\n"
           "                    layer.constrain()\n",
           "", must_fail=["test_trained_bayar_layers_are_constrained"]),
    # train_forgery hands back the seeded, untrained network: deterministic, constrained, and never trained.
    Mutant("train_forgery_without_training", "train.py", "    model.train()\n    for _ in range(epochs):\n"
           "        for idx in _batches(len(x), batch_size, rng):\n            xb, mb = _flip(rng, x[idx], m[idx])",
           "    model.train()\n    for _ in range(0):\n"
           "        for idx in _batches(len(x), batch_size, rng):\n            xb, mb = _flip(rng, x[idx], m[idx])",
           must_fail=["test_training_contracts", "test_trained_bayar_layers_are_constrained"]),
]
