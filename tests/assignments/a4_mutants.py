"""Plausible wrong submissions for assignment 4, as small edits of the reference solution.

Data only (no tests here): each mutant replaces `old` by `new` once in `file` (a path inside
solutions/a4_multitask/) and names the hidden tests that must then fail. They all fail unit tests,
none needs training: the grader must catch each mistake directly, not only through a lower mAP.
"""
from harness import Mutant

MUTANTS = [
    # predict hands back corner boxes where COCO's [x, y, w, h] is expected.
    Mutant("boxes_as_corners_not_xywh", "train.py",
           "xywh = torch.cat([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], dim=1)", "xywh = boxes",
           must_fail=["test_predict_conversions"]),
    # The Gaussian radius from the box size in input pixels instead of output cells.
    Mutant("heatmap_radius_in_input_pixels", "targets.py",
           "radius = max(0, int(gaussian_radius(math.ceil(h / stride), math.ceil(w / stride))))",
           "radius = max(0, int(gaussian_radius(h, w)))",
           must_fail=["test_build_targets[0]", "test_build_targets[2]"]),
    # Box sizes regressed in input pixels.
    Mutant("wh_target_in_pixels", "targets.py", "wh[:, cy, cx] = w / stride, h / stride", "wh[:, cy, cx] = w, h",
           must_fail=["test_build_targets[0]", "test_build_targets[1]"]),
    # NMS visits the boxes from the lowest score up.
    Mutant("nms_keeps_the_lower_score", "postprocess.py",
           "order = torch.sort(scores, descending=True, stable=True).indices",
           "order = torch.sort(scores, descending=False, stable=True).indices",
           must_fail=["test_nms_random", "test_nms_ties_and_threshold"]),
    # NMS suppresses a box at exactly the threshold.
    Mutant("nms_suppresses_at_the_threshold", "postprocess.py",
           "suppressed |= iou[i] > iou_threshold", "suppressed |= iou[i] >= iou_threshold",
           must_fail=["test_nms_ties_and_threshold"]),
    # The focal loss without CenterNet's (1 - y)^4 penalty reduction around the peaks.
    Mutant("focal_without_penalty_reduction", "losses.py",
           "neg_loss = (torch.log(1 - p) * p ** 2 * (1 - target_heatmap) ** 4 * neg).sum()",
           "neg_loss = (torch.log(1 - p) * p ** 2 * neg).sum()",
           must_fail=["test_focal_loss[peaks]", "test_focal_loss[no_peak]", "test_multitask_loss"]),
    # The focal loss averaged over every cell instead of over the peaks.
    Mutant("focal_normalised_by_cells", "losses.py",
           "loss = -neg_loss if num_pos == 0 else -(pos_loss + neg_loss) / num_pos",
           "loss = -(pos_loss + neg_loss) / p.numel()",
           must_fail=["test_focal_loss[peaks]", "test_focal_loss[no_peak]"]),
    # L1 regression averaged over the whole map, not the centres.
    Mutant("l1_over_every_cell", "losses.py", "loss = (torch.abs(pred - target) * m).sum() / (m.sum() + EPS)",
           "loss = (torch.abs(pred - target) * m).sum() / m.numel()", must_fail=["test_reg_l1_loss"]),
    # The Dice term never added.
    Mutant("dice_ignored", "losses.py", "    if dice_weight:\n", "    if False:\n",
           must_fail=["test_seg_loss[with_dice]"]),
    # The loss weights ignored.
    Mutant("loss_weights_ignored", "losses.py",
           'parts["total"] = sum(weights[k] * parts[k] for k in ("heatmap", "wh", "offset", "seg"))',
           'parts["total"] = sum(parts[k] for k in ("heatmap", "wh", "offset", "seg"))',
           must_fail=["test_multitask_loss"]),
    # Decoding ignores the sub-cell offsets.
    Mutant("offsets_ignored_in_decode", "postprocess.py",
           "cx, cy = (xs[n] + ox) * stride, (ys[n] + oy) * stride", "cx, cy = xs[n] * stride, ys[n] * stride",
           must_fail=["test_decode_peaks", "test_predict_conversions"]),
    # No 3x3 max-pool: every cell is a peak.
    Mutant("decode_without_peak_picking", "postprocess.py",
           "peaks = heat * (F.max_pool2d(heat, 3, stride=1, padding=1) == heat)", "peaks = heat",
           must_fail=["test_decode_peaks"]),
    # Labels left as 0-based channel indices.
    Mutant("decode_labels_zero_based", "postprocess.py",
           '"labels": classes[n][keep] + 1})', '"labels": classes[n][keep]})',
           must_fail=["test_decode_peaks", "test_predict_conversions"]),
    # Intersection not clamped at zero: two disjoint boxes "overlap".
    Mutant("iou_intersection_not_clamped", "postprocess.py",
           "inter = (bottom_right - top_left).clamp(min=0).prod(dim=2)  # (N, M)",
           "inter = (bottom_right - top_left).prod(dim=2)  # (N, M)",
           must_fail=["test_box_iou_cases[disjoint]"]),
    # The segmentation logits left at stride 2, not upsampled to the input.
    Mutant("seg_logits_not_upsampled", "model.py",
           "seg = upsample_bilinear(self.seg(self.seg_block(up)), 2)",
           "seg = self.seg(self.seg_block(up))",
           must_fail=["test_output_shapes"]),
    # Heatmap logits where probabilities are expected.
    Mutant("heatmap_without_sigmoid", "model.py",
           '"heatmap": self.heatmap(d).sigmoid()', '"heatmap": self.heatmap(d)',
           must_fail=["test_heatmap_sigmoid_and_prior"]),
    # No CenterNet prior on the heatmap bias.
    Mutant("heatmap_prior_missing", "model.py",
           "        nn.init.constant_(self.heatmap.bias, -math.log((1 - 0.1) / 0.1))\n", "",
           must_fail=["test_heatmap_sigmoid_and_prior"]),
    # A full 3x3 convolution where the depthwise one belongs.
    Mutant("depthwise_without_groups", "model.py",
           "nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels, bias=False)",
           "nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, bias=False)",
           must_fail=["test_depthwise_separable"]),
    # A new peak overwrites the heatmap instead of keeping the larger value.
    Mutant("gaussian_overwrites", "targets.py",
           "np.maximum(window, peak[r - top:r + bottom, r - left:r + right], out=window)",
           "window[...] = peak[r - top:r + bottom, r - left:r + right]",
           must_fail=["test_draw_gaussian"]),
    # sigma = diameter / 3: a peak twice as wide.
    Mutant("gaussian_sigma_too_wide", "targets.py", "sigma = (2 * r + 1) / 6", "sigma = (2 * r + 1) / 3",
           must_fail=["test_draw_gaussian"]),
    # The confusion matrix transposed (rows predicted).
    Mutant("confusion_transposed", "metrics.py",
           "conf = np.bincount(target[valid] * num_classes + pred[valid], minlength=num_classes ** 2)",
           "conf = np.bincount(pred[valid] * num_classes + target[valid], minlength=num_classes ** 2)",
           must_fail=["test_confusion_matrix"]),
    # mIoU averaged over classes absent from both truth and prediction.
    Mutant("miou_over_absent_classes", "metrics.py", "present = union > 0", "present = union >= 0",
           must_fail=["test_mean_iou"]),
    # Training not seeded: two calls give two models.
    Mutant("training_not_seeded", "train.py",
           "    torch.manual_seed(seed)\n    model = MultiTaskNet(num_classes=3, width=16).to(device)\n",
           "    model = MultiTaskNet(num_classes=3, width=16).to(device)\n",
           must_fail=["test_train_multitask_contract"]),
    # The trained model handed back in train mode (batch norm then uses each batch's statistics).
    Mutant("trained_model_left_in_train_mode", "train.py",
           "    model.eval()\n    ### END SOLUTION\n    return model\n", "    ### END SOLUTION\n    return model\n",
           must_fail=["test_train_multitask_contract"]),
    # The focal loss's upper clamp past 1: a prediction saturated at 1 makes log(1 - p) infinite.
    Mutant("focal_upper_clamp_past_one", "losses.py",
           "p = pred_heatmap.clamp(EPS, 1 - EPS)", "p = pred_heatmap.clamp(EPS, 2 - EPS)",
           must_fail=["test_focal_loss[saturated]"]),
    # The focal loss without its clamp: a prediction at 0 on a peak gives log(0).
    Mutant("focal_without_clamp", "losses.py", "p = pred_heatmap.clamp(EPS, 1 - EPS)", "p = pred_heatmap",
           must_fail=["test_focal_loss[saturated]"]),
    # Every image of a batch decoded from the first image's heatmap.
    Mutant("decode_every_image_from_the_first", "postprocess.py",
           "scores, index = peaks.reshape(N, -1).topk(min(k, C * H * W))",
           "scores, index = peaks[:1].reshape(1, -1).expand(N, -1).topk(min(k, C * H * W))",
           must_fail=["test_decode_batch"]),
    # The k highest peaks taken over the whole batch, not per image.
    Mutant("decode_top_k_over_the_batch", "postprocess.py",
           "scores, index = peaks.reshape(N, -1).topk(min(k, C * H * W))",
           "in_top = torch.zeros(N * C * H * W, dtype=torch.bool)\n"
           "    in_top[peaks.reshape(-1).topk(min(k, N * C * H * W)).indices] = True\n"
           "    scores, index = (peaks.reshape(-1) * in_top).reshape(N, -1).topk(min(k, C * H * W))",
           must_fail=["test_decode_batch"]),
    # top-k asked for more cells than the maps hold.
    Mutant("decode_k_not_capped_at_the_cells", "postprocess.py",
           "scores, index = peaks.reshape(N, -1).topk(min(k, C * H * W))",
           "scores, index = peaks.reshape(N, -1).topk(k)",
           must_fail=["test_decode_top_k_and_threshold"]),
    # L1 regression without the EPS: an image with no object gives 0 / 0.
    Mutant("l1_without_eps", "losses.py", "loss = (torch.abs(pred - target) * m).sum() / (m.sum() + EPS)",
           "loss = (torch.abs(pred - target) * m).sum() / m.sum()", must_fail=["test_reg_l1_loss"]),
    # multitask_loss requires a dice weight the docstring makes optional.
    Mutant("multitask_dice_weight_required", "losses.py",
           'dice_weight=weights.get("dice", 0.0)', 'dice_weight=weights["dice"]',
           must_fail=["test_multitask_loss"]),
    # Negative classes (an ignore label of -1) counted: they land in the row before.
    Mutant("confusion_counts_negative_classes", "metrics.py",
           "valid = (pred >= 0) & (pred < num_classes) & (target >= 0) & (target < num_classes)",
           "valid = (pred < num_classes) & (target < num_classes)",
           must_fail=["test_confusion_matrix"]),
]
