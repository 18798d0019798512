"""Plausible wrong submissions for assignment 2, as small edits of the reference solution.

Data only (no tests here). Each mutant replaces `old` by `new` once in `file` (a path inside
solutions/a2_lenet_gru/; `old` occurs there exactly once), and names the hidden tests that must
then fail, as substrings of their names. Grading a mutant must fail those tests and lower the score.
The last group calls the library instead of writing the layer: those mutants compute the right
numbers, so only the forbidden-call checks (static scan and run-time record) can take the points.
"""
from harness import Mutant

ASSIGNMENT = "a2_lenet_gru"


LAYERS = "layers.py"
LENET = "lenet.py"
GRU = "gru.py"
TRAIN = "train.py"

CONV_LINES = """\
        cols = F.unfold(x, K, padding=P, stride=S)  # (N, C*K*K, H_out*W_out), one column per position
        filters = self.weight.reshape(self.out_channels, -1)  # (C_out, C*K*K)
        out = filters @ cols  # (N, C_out, H_out*W_out)
        out = out + self.bias.view(1, -1, 1)
        out = out.view(N, self.out_channels, H_out, W_out)  # (N, C_out, H_out, W_out)
"""
CONV_TESTS = ["test_conv2d_output_shape", "test_conv2d_forward_values", "test_conv2d_backward_gradients",
              "test_conv2d_hand_built"]
GRU_CELL_LINES = """\
        gi = x @ self.weight_ih.T + self.bias_ih  # (B, 3H): input contributions to r, z, n
        gh = h @ self.weight_hh.T + self.bias_hh  # (B, 3H): hidden contributions to r, z, n
        r = torch.sigmoid(gi[:, :H] + gh[:, :H])
        z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        h_next = (1 - z) * n + z * h  # (B, H)
"""
GRU_CELL_TESTS = ["test_grucell_forward_values", "test_grucell_gradients", "test_grucell_hand_built",
                  "test_gru_sequence_values", "test_gru_hand_built"]

MUTANTS = [
    # Convolution (true convolution) instead of PyTorch's cross-correlation: the filter is flipped.
    Mutant("conv_flips_kernel", LAYERS,
           "filters = self.weight.reshape(self.out_channels, -1)",
           "filters = self.weight.flip(2, 3).reshape(self.out_channels, -1)",
           must_fail=["test_conv2d_forward_values", "test_conv2d_backward_gradients"]),
    # One row and column of zeros too many on every side (consistently: the output grows by 2).
    Mutant("conv_padding_off_by_one", LAYERS,
           "K, S, P = self.kernel_size, self.stride, self.padding\n",
           "K, S, P = self.kernel_size, self.stride, self.padding + 1\n",
           must_fail=["test_conv2d_output_shape", "test_conv2d_forward_values"]),
    # The bias is created but never added.
    Mutant("conv_missing_bias", LAYERS,
           "        out = out + self.bias.view(1, -1, 1)\n",
           "",
           must_fail=["test_conv2d_forward_values", "test_conv2d_backward_gradients"]),
    # Max pooling whose forward value is right but whose gradient is spread over the whole window.
    Mutant("maxpool_gradient_to_every_element", LAYERS,
           "out = cols.max(dim=1).values  # (N*C, H_out*W_out)",
           "out = cols.mean(dim=1) + (cols.max(dim=1).values - cols.mean(dim=1)).detach()",
           must_fail=["test_maxpool2d_gradient_routing"]),
    # The update gate's roles swapped: z keeps the candidate instead of the old state.
    Mutant("gru_update_gate_swapped", GRU,
           "h_next = (1 - z) * n + z * h  # (B, H)",
           "h_next = z * n + (1 - z) * h  # (B, H)",
           must_fail=["test_grucell_forward_values", "test_grucell_gradients", "test_gru_sequence_values",
                      "test_gru_sequence_gradients"]),
    # The reset gate multiplies W_hn h only and b_hn is added after it: r * (W_hn h) + b_hn (the original
    # GRU paper's variant), not PyTorch's r * (W_hn h + b_hn).
    Mutant("gru_reset_gate_outside_hidden_bias", GRU,
           "n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])",
           "n = torch.tanh(gi[:, 2 * H:] + r * (gh[:, 2 * H:] - self.bias_hh[2 * H:]) + self.bias_hh[2 * H:])",
           must_fail=["test_grucell_forward_values", "test_grucell_gradients", "test_gru_sequence_values"]),
    # The given initial hidden state is ignored.
    Mutant("gru_ignores_h0", GRU,
           "h = x.new_zeros(B, self.hidden_size) if h0 is None else h0  # (B, H)",
           "h = x.new_zeros(B, self.hidden_size)  # (B, H)",
           must_fail=["test_gru_sequence_values", "test_gru_sequence_gradients"]),
    # Training that never updates the weights.
    Mutant("training_without_optimizer_step", TRAIN,
           "            optimizer.step()\n",
           "",
           must_fail=["test_train_lenet_accuracy", "test_train_gru_accuracy"]),
    Mutant("lenet_learning_rate_zero", TRAIN,
           "def train_lenet(X, y, epochs=6, batch_size=64, lr=3e-3,",
           "def train_lenet(X, y, epochs=6, batch_size=64, lr=0.0,",
           must_fail=["test_train_lenet_accuracy"]),
    # Normalisation multiplied by the standard deviation: LeNet still learns, so only the direct
    # check of prepare_digits catches it.
    Mutant("digits_times_std", TRAIN,
           "x = (x - MNIST_MEAN) / MNIST_STD",
           "x = (x - MNIST_MEAN) * MNIST_STD",
           must_fail=["test_prepare_digits_values"]),
    # Padding after normalising: the border becomes 0 instead of the background's normalised value.
    Mutant("digits_padded_after_normalising", TRAIN,
           "    x = F.pad(x, (2, 2, 2, 2))  # (N, 1, 32, 32)\n    x = (x - MNIST_MEAN) / MNIST_STD\n",
           "    x = (x - MNIST_MEAN) / MNIST_STD\n    x = F.pad(x, (2, 2, 2, 2))  # (N, 1, 32, 32)\n",
           must_fail=["test_prepare_digits_values"]),
    # Ionosphere attributes returned as float64: the GRU's float32 weights would refuse them.
    Mutant("ionosphere_float64", TRAIN,
           "x = torch.as_tensor(X, dtype=torch.float32)\n",
           "x = torch.as_tensor(X)\n",
           must_fail=["test_prepare_ionosphere_values"]),
    # Plain SGD instead of Adam: it still trains, but its first step is lr * gradient, not lr * sign.
    Mutant("fit_with_sgd", TRAIN,
           "optimizer = torch.optim.Adam(model.parameters(), lr=lr)",
           "optimizer = torch.optim.SGD(model.parameters(), lr=lr)",
           must_fail=["test_fit_takes_adam_steps_of_size_lr"]),
    # The minibatch order ignores `seed` (the generator is seeded with a constant).
    Mutant("fit_order_ignores_seed", TRAIN,
           "order = torch.Generator().manual_seed(seed)",
           "order = torch.Generator().manual_seed(0)",
           must_fail=["test_fit_trains_the_model_reproducibly"]),

    # Library calls instead of hand-written layers: right numbers, no points.
    Mutant("conv_calls_F_conv2d", LAYERS, CONV_LINES,
           "        out = F.conv2d(x, self.weight, self.bias, stride=S, padding=P)\n",
           must_fail=CONV_TESTS),
    Mutant("conv_reaches_F_conv2d_through_getattr", LAYERS, CONV_LINES,
           '        out = getattr(F, "con" + "v2d")(x, self.weight, self.bias, stride=S, padding=P)\n',
           must_fail=CONV_TESTS),
    # A name built at run time: only the run-time record sees it.
    Mutant("conv_reaches_F_conv2d_by_a_computed_name", LAYERS, CONV_LINES,
           '        name = "".join(reversed("d2vnoc"))\n'
           "        out = getattr(F, name)(x, self.weight, self.bias, stride=S, padding=P)\n",
           must_fail=CONV_TESTS),
    Mutant("maxpool_calls_F_max_pool2d", LAYERS,
           "out = cols.max(dim=1).values  # (N*C, H_out*W_out)",
           "out = F.max_pool2d(x, K, S).reshape(N * C, -1)",
           must_fail=["test_maxpool2d_forward_values", "test_maxpool2d_gradient_routing", "test_pooling_hand_built"]),
    Mutant("lenet_uses_nn_Conv2d", LENET,
           "Conv2d(1, 6, 5), ReLU(), MaxPool2d(2),  # C1, S2",
           "nn.Conv2d(1, 6, 5), ReLU(), MaxPool2d(2),  # C1, S2",
           must_fail=["test_lenet5_hand_built"]),
    # The cell runs nn.GRUCell's computation on the student's own parameters (gradients flow to them).
    Mutant("grucell_delegates_to_nn_GRUCell", GRU, GRU_CELL_LINES,
           "        library = nn.GRUCell(self.input_size, H).to(x)\n"
           "        params = dict(weight_ih=self.weight_ih, weight_hh=self.weight_hh, bias_ih=self.bias_ih, "
           "bias_hh=self.bias_hh)\n"
           "        h_next = torch.func.functional_call(library, params, (x, h))\n",
           must_fail=GRU_CELL_TESTS),
    Mutant("grucell_calls_torch_VF", GRU, GRU_CELL_LINES,
           "        h_next = torch._VF.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)\n",
           must_fail=GRU_CELL_TESTS),
]
