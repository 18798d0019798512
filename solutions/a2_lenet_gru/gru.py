"""A gated recurrent unit written out gate by gate, a batch-first GRU over sequences, and an Ionosphere classifier.

Allowed: tensor arithmetic, matrix products, torch.sigmoid, torch.tanh, slicing and stacking.
Not allowed (the grader checks both your source and the operators your code runs): nn.GRU,
nn.GRUCell, nn.RNN*, nn.LSTM*, torch.gru*, torch.rnn_*, torch.lstm* and anything reached through
torch._C, torch._VF or torch.ops. The classifier's output layer may be an nn.Linear.

Shapes: B is the batch size, T the sequence length, I the input size, H the hidden size.
"""
import math

import torch
import torch.nn as nn


class GRUCell(nn.Module):
    """
    One step of a GRU, with PyTorch's equations and parameter layout, so that weights copied from
    nn.GRUCell give the same numbers:

      r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset gate
      z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update gate
      n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate (note: r multiplies b_hn too)
      h' = (1 - z) * n + z * h

    Parameters (created in __init__ with these names and shapes; gate blocks in the order r, z, n):
    - weight_ih: (3H, I), rows [W_ir; W_iz; W_in].
    - weight_hh: (3H, H), rows [W_hr; W_hz; W_hn].
    - bias_ih: (3H,), [b_ir; b_iz; b_in].
    - bias_hh: (3H,), [b_hr; b_hz; b_hn].
    All four initialised U(-1/sqrt(H), 1/sqrt(H)), as nn.GRUCell does.
    """

    def __init__(self, input_size, hidden_size):
        """
        Inputs:
        - input_size: I.
        - hidden_size: H.
        """
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = None
        self.weight_hh = None
        self.bias_ih = None
        self.bias_hh = None
        ### BEGIN SOLUTION
        I, H = input_size, hidden_size
        bound = 1 / math.sqrt(H)
        self.weight_ih = nn.Parameter(torch.empty(3 * H, I).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(3 * H, H).uniform_(-bound, bound))
        self.bias_ih = nn.Parameter(torch.empty(3 * H).uniform_(-bound, bound))
        self.bias_hh = nn.Parameter(torch.empty(3 * H).uniform_(-bound, bound))
        ### END SOLUTION

    def forward(self, x, h):
        """
        Inputs:
        - x: input at this step, tensor of shape (B, I).
        - h: hidden state from the previous step, tensor of shape (B, H).

        Returns:
        - h_next: the new hidden state, tensor of shape (B, H).
        """
        h_next = None
        ### BEGIN SOLUTION
        H = self.hidden_size
        gi = x @ self.weight_ih.T + self.bias_ih  # (B, 3H): input contributions to r, z, n
        gh = h @ self.weight_hh.T + self.bias_hh  # (B, 3H): hidden contributions to r, z, n
        r = torch.sigmoid(gi[:, :H] + gh[:, :H])
        z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        h_next = (1 - z) * n + z * h  # (B, H)
        ### END SOLUTION
        return h_next


class GRU(nn.Module):
    """
    A one-layer GRU over batch-first sequences: the GRUCell self.cell applied at every step.
    With the cell's parameters copied from nn.GRU(I, H, batch_first=True) (weight_ih_l0 -> weight_ih,
    and so on) it returns the same outputs and final state.
    """

    def __init__(self, input_size, hidden_size):
        """
        Inputs:
        - input_size: I.
        - hidden_size: H.
        """
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.cell = GRUCell(input_size, hidden_size)

    def forward(self, x, h0=None):
        """
        Inputs:
        - x: sequences, tensor of shape (B, T, I).
        - h0: initial hidden state, tensor of shape (B, H), or None for zeros.

        Returns a tuple of:
        - outputs: hidden state after every step, tensor of shape (B, T, H); outputs[:, t] = h_{t+1}.
        - h_T: hidden state after the last step, tensor of shape (B, H) (equal to outputs[:, -1]).
        """
        outputs, h_T = None, None
        ### BEGIN SOLUTION
        B, T, _ = x.shape
        h = x.new_zeros(B, self.hidden_size) if h0 is None else h0  # (B, H)
        steps = []
        for t in range(T):
            h = self.cell(x[:, t], h)  # (B, H)
            steps.append(h)
        outputs = torch.stack(steps, dim=1)  # (B, T, H)
        h_T = h
        ### END SOLUTION
        return outputs, h_T


class IonosphereGRU(nn.Module):
    """
    Classifier for the UCI Ionosphere radar returns. Each row's 34 attributes are 17 pulses, each a
    complex autocorrelation value given as two numbers (real part, imaginary part), so a row is read
    as a sequence of T = 17 steps with I = 2 features. The GRU runs over the sequence and a linear
    layer maps its last hidden state to 2 scores: class 0 = "bad" (b), class 1 = "good" (g).
    """

    def __init__(self, hidden_size=32):
        """
        Inputs:
        - hidden_size: H, size of the GRU's hidden state.
        """
        super().__init__()
        self.gru = GRU(2, hidden_size)
        self.head = nn.Linear(hidden_size, 2)

    def forward(self, x):
        """
        Inputs:
        - x: attributes, tensor of shape (B, 34), in the dataset's column order.

        Returns:
        - scores: class scores (logits), tensor of shape (B, 2).
        """
        scores = None
        ### BEGIN SOLUTION
        B = x.shape[0]
        seq = x.reshape(B, 17, 2)  # (B, T=17, I=2): pulse t -> (real, imaginary)
        _, h_T = self.gru(seq)  # (B, H)
        scores = self.head(h_T)  # (B, 2)
        ### END SOLUTION
        return scores
