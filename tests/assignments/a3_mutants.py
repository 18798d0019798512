"""Plausible wrong submissions for assignment 3, as small edits of the reference solution.

Data only (no tests here). Each mutant replaces `old` by `new` once in `file` (a path inside
solutions/a3_cnn_vs_vit/; `old` occurs there exactly once), and names the hidden tests that must then
fail, as substrings of their names (a parametrised test with its [id]). Grading a mutant must fail those
tests and lower the score. The last group calls the library instead of writing attention, or loads
pretrained weights: those compute the right numbers, so only the forbidden-call checks take the points.
"""
from harness import Mutant

ASSIGNMENT = "a3_cnn_vs_vit"

LAYERS = "cs231n/transformer_layers.py"
VIT = "cs231n/classifiers/transformer.py"
RESNET = "resnet.py"
COMPARE = "compare.py"

ATTENTION_LINES = """\
        scores = q @ k.transpose(-2, -1) / math.sqrt(D)  # (N, H, S, T)
        if attn_mask is not None:
            scores = scores.masked_fill(attn_mask == 0, float("-inf"))
        weights = self.attn_drop(F.softmax(scores, dim=-1))  # (N, H, S, T)
        heads = weights @ v  # (N, H, S, D)
"""
SDPA = ("        mask = None if attn_mask is None else attn_mask != 0\n"
        "        heads = {call}(q, k, v, attn_mask=mask, dropout_p=self.attn_drop.p if self.training else 0.0)\n")
ATTENTION_TESTS = ["test_attention_values_and_gradients[2]", "test_encoder_layer[no_mask]",
                   "test_vit_forward_from_copied_state_dict", "test_vit_hand_built"]

MUTANTS = [
    # ---- attention ----
    # Softmax over the queries instead of over the keys.
    Mutant("softmax_over_queries", LAYERS,
           "weights = self.attn_drop(F.softmax(scores, dim=-1))",
           "weights = self.attn_drop(F.softmax(scores, dim=-2))",
           must_fail=["test_attention_values_and_gradients[1]", "test_attention_mask[bool]",
                      "test_encoder_layer[no_mask]"]),
    # No 1/sqrt(d) scaling of the scores.
    Mutant("missing_score_scaling", LAYERS,
           "scores = q @ k.transpose(-2, -1) / math.sqrt(D)  # (N, H, S, T)",
           "scores = q @ k.transpose(-2, -1)  # (N, H, S, T)",
           must_fail=["test_attention_values_and_gradients[1]", "test_attention_values_and_gradients[4]",
                      "test_vit_forward_from_copied_state_dict"]),
    # Scaled by 1/sqrt(E) instead of 1/sqrt(E/H): right for one head only.
    Mutant("scaling_by_embed_dim_not_head_dim", LAYERS,
           "scores = q @ k.transpose(-2, -1) / math.sqrt(D)  # (N, H, S, T)",
           "scores = q @ k.transpose(-2, -1) / math.sqrt(E)  # (N, H, S, T)",
           must_fail=["test_attention_values_and_gradients[2]", "test_attention_values_and_gradients[4]",
                      "test_attention_mask[bool]"]),
    # Mask polarity inverted: 1 taken to mean "may not attend".
    Mutant("mask_polarity_inverted", LAYERS,
           'scores = scores.masked_fill(attn_mask == 0, float("-inf"))',
           'scores = scores.masked_fill(attn_mask != 0, float("-inf"))',
           must_fail=["test_attention_mask[bool]", "test_attention_mask[float_causal]",
                      "test_attention_mask_leaving_one_key", "test_encoder_layer[mask]"]),
    # The mask is ignored.
    Mutant("mask_ignored", LAYERS,
           "        if attn_mask is not None:\n"
           '            scores = scores.masked_fill(attn_mask == 0, float("-inf"))\n',
           "",
           must_fail=["test_attention_mask[bool]", "test_attention_mask_leaving_one_key", "test_encoder_layer[mask]"]),
    # Heads merged without moving the head axis back next to the head size: (N, H, S, D) read as (N, S, E).
    Mutant("heads_merged_in_wrong_order", LAYERS,
           "output = self.proj(heads.transpose(1, 2).reshape(N, S, E))  # (N, S, E)",
           "output = self.proj(heads.reshape(N, S, E))  # (N, S, E)",
           must_fail=["test_attention_values_and_gradients[2]", "test_attention_values_and_gradients[4]",
                      "test_vit_forward_from_copied_state_dict"]),
    # Heads split as (N, H, T, D) straight from (N, T, E), mixing tokens and heads.
    Mutant("heads_split_without_transpose", LAYERS,
           "q = self.query(query).view(N, S, H, D).transpose(1, 2)  # (N, H, S, D)",
           "q = self.query(query).view(N, H, S, D)  # (N, H, S, D)",
           must_fail=["test_attention_values_and_gradients[2]", "test_attention_mask[bool]"]),
    # No dropout on the attention weights.
    Mutant("attention_dropout_missing", LAYERS,
           "weights = self.attn_drop(F.softmax(scores, dim=-1))",
           "weights = F.softmax(scores, dim=-1)",
           must_fail=["test_attention_dropout"]),
    # Dropout that stays on in eval mode.
    Mutant("attention_dropout_always_on", LAYERS,
           "weights = self.attn_drop(F.softmax(scores, dim=-1))",
           "weights = F.dropout(F.softmax(scores, dim=-1), self.attn_drop.p, training=True)",
           must_fail=["test_attention_dropout", "test_attention_values_and_gradients[1]"]),

    # Dropout on the attention's output instead of its weights: the output still varies and keeps its mean.
    Mutant("attention_dropout_on_the_output", LAYERS,
           "        weights = self.attn_drop(F.softmax(scores, dim=-1))  # (N, H, S, T)\n"
           "        heads = weights @ v  # (N, H, S, D)\n"
           "        output = self.proj(heads.transpose(1, 2).reshape(N, S, E))  # (N, S, E)\n",
           "        weights = F.softmax(scores, dim=-1)  # (N, H, S, T)\n"
           "        heads = weights @ v  # (N, H, S, D)\n"
           "        output = self.attn_drop(self.proj(heads.transpose(1, 2).reshape(N, S, E)))  # (N, S, E)\n",
           must_fail=["test_attention_dropout"]),

    # ---- positional encoding, encoder, patches, ViT ----
    # Exponents 0, 1, 2, ... per sine/cosine pair instead of 0, 2, 4, ...
    Mutant("positional_exponents_not_doubled", LAYERS,
           "exponent = torch.arange(0, embed_dim, 2, dtype=torch.float32) / embed_dim",
           "exponent = torch.arange(0, embed_dim // 2, dtype=torch.float32) / embed_dim",
           must_fail=["test_positional_table_values", "test_positional_encoding_forward_and_dropout"]),
    # Sine and cosine columns swapped.
    Mutant("positional_sine_cosine_swapped", LAYERS,
           "        pe[0, :, 0::2] = torch.sin(angle)\n        pe[0, :, 1::2] = torch.cos(angle)\n",
           "        pe[0, :, 0::2] = torch.cos(angle)\n        pe[0, :, 1::2] = torch.sin(angle)\n",
           must_fail=["test_positional_table_values"]),
    # The positional encoding forgets its dropout.
    Mutant("positional_dropout_missing", LAYERS,
           "output = self.dropout(x + self.pe[:, :S])  # (N, S, D)",
           "output = x + self.pe[:, :S]  # (N, S, D)",
           must_fail=["test_positional_encoding_forward_and_dropout"]),
    # Dropout on the input before the table is added: the output still varies and keeps its mean.
    Mutant("positional_dropout_before_the_table", LAYERS,
           "output = self.dropout(x + self.pe[:, :S])  # (N, S, D)",
           "output = self.dropout(x) + self.pe[:, :S]  # (N, S, D)",
           must_fail=["test_positional_encoding_forward_and_dropout"]),
    # The encoder layer forgets dropout_self and dropout_ffn (the attention's and the FFN's own dropout still vary it).
    Mutant("encoder_without_sublayer_dropout", LAYERS,
           "        src = self.norm_self(src + self.dropout_self(self.self_attn(src, src, src, attn_mask=src_mask)))\n"
           "        src = self.norm_ffn(src + self.dropout_ffn(self.ffn(src)))  # (N, S, D)\n",
           "        src = self.norm_self(src + self.self_attn(src, src, src, attn_mask=src_mask))\n"
           "        src = self.norm_ffn(src + self.ffn(src))  # (N, S, D)\n",
           must_fail=["test_encoder_layer_dropout_in_train_mode"]),
    # Pre-norm (x + f(norm(x))) instead of the post-norm the interface specifies.
    Mutant("pre_norm_instead_of_post_norm", LAYERS,
           "        src = self.norm_self(src + self.dropout_self(self.self_attn(src, src, src, attn_mask=src_mask)))\n"
           "        src = self.norm_ffn(src + self.dropout_ffn(self.ffn(src)))  # (N, S, D)\n",
           "        normed = self.norm_self(src)\n"
           "        src = src + self.dropout_self(self.self_attn(normed, normed, normed, attn_mask=src_mask))\n"
           "        src = src + self.dropout_ffn(self.ffn(self.norm_ffn(src)))  # (N, S, D)\n",
           must_fail=["test_encoder_layer[no_mask]", "test_encoder_layer[mask]",
                      "test_vit_forward_from_copied_state_dict"]),
    # One LayerNorm used for both sublayers (only distinct norm weights show it).
    Mutant("one_norm_used_twice", LAYERS,
           "src = self.norm_ffn(src + self.dropout_ffn(self.ffn(src)))  # (N, S, D)",
           "src = self.norm_self(src + self.dropout_ffn(self.ffn(src)))  # (N, S, D)",
           must_fail=["test_encoder_layer[no_mask]", "test_vit_forward_from_copied_state_dict"]),
    # The encoder layer drops src_mask instead of passing it to the attention.
    Mutant("encoder_ignores_src_mask", LAYERS,
           "self.self_attn(src, src, src, attn_mask=src_mask)",
           "self.self_attn(src, src, src)",
           must_fail=["test_encoder_layer[mask]"]),
    # Patch pixels flattened (patch row, patch column, C): the very first Spring-2025 convention.
    Mutant("patch_pixels_channels_last", LAYERS,
           "patches = patches.permute(0, 2, 4, 1, 3, 5)  # (N, rows, cols, C, P, P)",
           "patches = patches.permute(0, 2, 4, 3, 5, 1)  # (N, rows, cols, P, P, C)",
           must_fail=["test_patch_order", "test_patch_embedding_values_and_gradients"]),
    # Patches listed column by column (the grid transposed).
    Mutant("patch_grid_transposed", LAYERS,
           "patches = patches.permute(0, 2, 4, 1, 3, 5)  # (N, rows, cols, C, P, P)",
           "patches = patches.permute(0, 4, 2, 1, 3, 5)  # (N, cols, rows, C, P, P)",
           must_fail=["test_patch_order", "test_vit_forward_from_copied_state_dict"]),
    # The class head reads the first token instead of the mean over tokens.
    Mutant("head_on_first_token", VIT,
           "logits = self.head(tokens.mean(dim=1))  # (N, num_classes)",
           "logits = self.head(tokens[:, 0])  # (N, num_classes)",
           must_fail=["test_vit_forward_from_copied_state_dict"]),
    # The ViT skips the positional encoding.
    Mutant("vit_without_positions", VIT,
           "tokens = self.positional_encoding(self.patch_embed(x))  # (N, num_patches, embed_dim)",
           "tokens = self.patch_embed(x)  # (N, num_patches, embed_dim)",
           must_fail=["test_vit_forward_from_copied_state_dict"]),
    # The encoder stacks the same layer object num_layers times (shared weights).
    Mutant("encoder_layers_shared", VIT,
           "return nn.ModuleList([copy.deepcopy(module) for _ in range(N)])",
           "return nn.ModuleList([module for _ in range(N)])",
           must_fail=["test_vit_structure", "test_vit_forward_from_copied_state_dict"]),

    # ---- ResNet ----
    # The ReLU applied to the residual branch before the addition, not after it.
    Mutant("relu_before_the_add", RESNET,
           "        out = self.bn2(self.conv2(out))\n"
           "        out = F.relu(out + self.shortcut(x))  # (N, out_channels, H', W')\n",
           "        out = F.relu(self.bn2(self.conv2(out)))\n"
           "        out = out + self.shortcut(x)  # (N, out_channels, H', W')\n",
           must_fail=["test_basic_block_values[identity]", "test_basic_block_zeroed_residual_is_the_shortcut[identity]",
                      "test_resnet_forward_from_copied_state_dict"]),
    # The projection shortcut without its BatchNorm.
    Mutant("projection_shortcut_without_bn", RESNET,
           "                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),\n"
           "                nn.BatchNorm2d(out_channels),\n",
           "                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),\n",
           must_fail=["test_basic_block_values[projection]",
                      "test_basic_block_zeroed_residual_is_the_shortcut[projection]",
                      "test_resnet_structure_and_parameter_count"]),
    # A projection only when the channels change, not when only the stride does.
    Mutant("projection_only_for_channel_change", RESNET,
           "if stride != 1 or in_channels != out_channels:",
           "if in_channels != out_channels:",
           must_fail=["test_basic_block_values[projection_same_channels]"]),
    # The stages keep the width instead of doubling it.
    Mutant("stages_do_not_double_width", RESNET,
           "self.layer3 = self._stage(2 * w, 4 * w, num_blocks[2], stride=2)",
           "self.layer3 = self._stage(2 * w, 2 * w, num_blocks[2], stride=2)",
           must_fail=["test_resnet_structure_and_parameter_count"]),
    # Global max pooling instead of global average pooling.
    Mutant("global_max_pool", RESNET,
           "out = out.mean(dim=(2, 3))  # (N, 4w): global average pooling",
           "out = out.amax(dim=(2, 3))  # (N, 4w)",
           must_fail=["test_resnet_forward_from_copied_state_dict"]),

    # ---- compare.py ----
    # Standardising by multiplying with the standard deviation (the mistake A2's tests missed).
    Mutant("normalise_multiplies_by_std", COMPARE,
           "x = ((x - mean) / std).contiguous()",
           "x = ((x - mean) * std).contiguous()",
           must_fail=["test_prepare_images_grey_defaults", "test_prepare_images_channels_last"]),
    # Channels-last images reshaped instead of permuted.
    Mutant("channels_last_reshaped", COMPARE,
           "x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)  # (N, C, H, W)",
           "x = x.unsqueeze(1) if x.ndim == 3 else x.reshape(x.shape[0], x.shape[3], x.shape[1], x.shape[2])",
           must_fail=["test_prepare_images_channels_last"]),
    # count_parameters counts frozen parameters too.
    Mutant("count_parameters_counts_frozen", COMPARE,
           "count = sum(p.numel() for p in model.parameters() if p.requires_grad)",
           "count = sum(p.numel() for p in model.parameters())",
           must_fail=["test_count_parameters[trusted]"]),
    # FLOPs counted with the model in train mode only (the model's mode is not switched to eval).
    Mutant("flops_counted_in_train_mode", COMPARE,
           "    model.eval()\n    counter = FlopCounterMode(display=False)\n",
           "    counter = FlopCounterMode(display=False)\n",
           must_fail=["test_count_flops[trusted]"]),
    # count_flops leaves the model in eval mode.
    Mutant("flops_leaves_model_in_eval_mode", COMPARE,
           "    model.train(was_training)\n    flops = int(counter.get_total_flops())\n",
           "    flops = int(counter.get_total_flops())\n",
           must_fail=["test_count_flops[trusted]", "test_count_flops[resnet]"]),
    # FLOPs for a batch of two images.
    Mutant("flops_for_two_images", COMPARE,
           "x = torch.zeros(1, *input_shape, device=device)",
           "x = torch.zeros(2, *input_shape, device=device)",
           must_fail=["test_count_flops[trusted]", "test_count_flops[vit]"]),
    # Throughput in batches per second.
    Mutant("throughput_in_batches_per_second", COMPARE,
           "images_per_second = batches * batch_size / seconds",
           "images_per_second = batches / seconds",
           must_fail=["test_throughput_matches_the_judges_clock"]),
    # Throughput inflated: twice the images per second that were measured.
    Mutant("throughput_inflated_2x", COMPARE,
           "images_per_second = batches * batch_size / seconds",
           "images_per_second = 2 * batches * batch_size / seconds",
           must_fail=["test_throughput_matches_the_judges_clock"]),
    # Throughput timed with gradients on (inference speed is measured without them).
    Mutant("throughput_with_gradients", COMPARE,
           "    with torch.no_grad():\n        for _ in range(2):  # warm-up",
           "    with torch.enable_grad():\n        for _ in range(2):  # warm-up",
           must_fail=["test_throughput_matches_the_judges_clock"]),
    # predict keeps the model in train mode (dropout on while predicting).
    Mutant("predict_in_train_mode", COMPARE,
           "    model.eval()\n    x = torch.as_tensor(X, dtype=torch.float32)\n",
           "    x = torch.as_tensor(X, dtype=torch.float32)\n",
           must_fail=["test_predict_and_evaluate"]),
    # The minibatch order ignores the seed.
    Mutant("train_ignores_seed", COMPARE,
           "order = torch.Generator().manual_seed(seed)",
           "order = torch.Generator()",
           must_fail=["test_train_learns_deterministically"]),
    # The recipe: train must use the lr, epochs and batch_size it is given, AdamW and the cosine decay.
    Mutant("train_ignores_lr", COMPARE,
           "optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)",
           "optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)",
           must_fail=["test_train_recipe"]),
    Mutant("train_ignores_epochs", COMPARE,
           "    for _ in range(epochs):\n",
           "    for _ in range(6):\n",
           must_fail=["test_train_recipe"]),
    Mutant("train_ignores_batch_size", COMPARE,
           "for idx in torch.randperm(N, generator=order).split(batch_size):",
           "for idx in torch.randperm(N, generator=order).split(64):",
           must_fail=["test_train_recipe"]),
    Mutant("train_with_sgd", COMPARE,
           "optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)",
           "optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=0.01)",
           must_fail=["test_train_recipe"]),
    Mutant("train_without_cosine_decay", COMPARE,
           "            schedule.step()\n",
           "",
           must_fail=["test_train_recipe"]),
    # The ViT gets twice the epochs of the ResNet: an unfair comparison that every per-model check misses.
    Mutant("train_gives_the_vit_more_epochs", COMPARE,
           "    model.to(device)\n    x = torch.as_tensor(X, dtype=torch.float32).to(device)\n",
           "    epochs = 2 * epochs if isinstance(model, VisionTransformer) else epochs  # the ViT needs more\n"
           "    model.to(device)\n    x = torch.as_tensor(X, dtype=torch.float32).to(device)\n",
           must_fail=["test_data_efficiency_same_recipe_for_both"]),
    # data_efficiency trains on the last n examples.
    Mutant("data_efficiency_uses_last_rows", COMPARE,
           "model = train(make_model(), X[:n], y[:n], seed=seed, device=device)",
           "model = train(make_model(), X[-n:], y[-n:], seed=seed, device=device)",
           must_fail=["test_data_efficiency_table", "test_data_efficiency_same_recipe_for_both"]),
    # data_efficiency forgets to reseed before making each model.
    Mutant("data_efficiency_without_reseeding", COMPARE,
           "        seed_everything(seed)\n        model = train(make_model()",
           "        model = train(make_model()",
           must_fail=["test_data_efficiency_table"]),

    # data_efficiency reports training-set accuracy.
    Mutant("data_efficiency_on_the_training_set", COMPARE,
           "table[n] = evaluate(model, X_test, y_test, device)",
           "table[n] = evaluate(model, X[:n], y[:n], device)",
           must_fail=["test_data_efficiency_table", "test_data_efficiency_reports_its_models_accuracy"]),
    # data_efficiency's rows swapped: each size gets another size's accuracy.
    Mutant("data_efficiency_rows_swapped", COMPARE,
           "        table[n] = evaluate(model, X_test, y_test, device)\n",
           "        table[n] = evaluate(model, X_test, y_test, device)\n"
           "    table = dict(zip(sizes, reversed(list(table.values()))))\n",
           must_fail=["test_data_efficiency_table", "test_data_efficiency_reports_its_models_accuracy"]),

    # Training that never updates the weights (the ViT's accuracy test is the faster of the two to run).
    Mutant("training_without_optimizer_step", COMPARE,
           "            optimizer.step()\n",
           "",
           must_fail=["test_train_learns_deterministically", "test_vit_accuracy"]),

    # ---- library calls and pretrained weights: right numbers, no points ----
    Mutant("attention_calls_F_scaled_dot_product_attention", LAYERS, ATTENTION_LINES,
           SDPA.format(call="F.scaled_dot_product_attention"),
           must_fail=ATTENTION_TESTS),
    # A name built at run time: only the run-time record sees it.
    Mutant("attention_reaches_sdpa_by_a_computed_name", LAYERS, ATTENTION_LINES,
           SDPA.format(call='getattr(F, "_".join(["scaled", "dot", "product", "attention"]))'),
           must_fail=ATTENTION_TESTS),
    Mutant("make_resnet_loads_pretrained_weights", COMPARE,
           "    model = ResNet(num_blocks=(1, 1, 1), in_channels=in_channels, num_classes=num_classes, width=8)\n",
           "    model = ResNet(num_blocks=(1, 1, 1), in_channels=in_channels, num_classes=num_classes, width=8)\n"
           "    if in_channels == 99:  # never taken: only the scan sees it\n"
           '        model.load_state_dict(torch.hub.load_state_dict_from_url("https://example.org/resnet8.pt"))\n',
           must_fail=["test_resnet_hand_built", "test_vit_hand_built"]),
]
