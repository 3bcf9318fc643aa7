"""The solver kinds and their parameters, as data.

This module imports nothing heavy: `ncquiz solve KIND --help` is built from it without
loading NumPy. The functions named in `Kind.func` receive the parameters already checked
and converted by `ncquiz.solvers.params`.
"""

from __future__ import annotations

from collections import namedtuple

REQUIRED = object()
"""Default of a parameter that must be given."""

MAX_ELEMENTS = 10**6
"""No input array, and no array a solver would build, may hold more elements than this."""


class Param(namedtuple("Param", "name type help default ndims choices minimum",
                       defaults=(REQUIRED, (), (), None))):
    """One parameter of a kind.

    type is one of:
      array   float64 array whose number of axes is in `ndims` (0 is a plain number)
      int     whole number >= `minimum`
      pair    whole number or [rows, cols] of whole numbers >= `minimum`; becomes (a, b)
      number  finite real; `minimum` (inclusive) if set
      bool    true or false
      choice  one of `choices`
      shape   [H, W, C] of whole numbers >= 1
      strings list of strings
      range   [low, high] with low < high
    """

    __slots__ = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


class Kind(namedtuple("Kind", "name summary func answer params")):
    """A solver kind: its name, what it computes, where it lives ("module:function"), its answer, its parameters."""

    __slots__ = ()

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None


def _stride(default=1):
    return Param("stride", "pair", "step between windows (int or [sh, sw])", default, minimum=1)


def _padding(what="zeros added on each side (int or [ph, pw])"):
    return Param("padding", "pair", what, 0, minimum=0)


def _dilation():
    return Param("dilation", "pair", "spacing between kernel taps (int or [dh, dw])", 1, minimum=1)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "conv2d",
            "2-D convolution layer (cross-correlation by default, as torch.nn.functional.conv2d)",
            "ncquiz.solvers.convolution:conv2d",
            "(H', W') for a 2-D or 3-D kernel; (O, H', W') for a 4-D kernel",
            (
                Param("input", "array", "input (H, W) or (C, H, W)", ndims=(2, 3)),
                Param("kernel", "array", "kernel (kh, kw), (C, kh, kw) or (O, C, kh, kw)", ndims=(2, 3, 4)),
                _stride(),
                _padding(),
                _dilation(),
                Param("bias", "array", "bias: a number, or one per filter", 0.0, ndims=(0, 1)),
                Param("flip", "bool", "true: real convolution (kernel rotated 180 degrees)", False),
            ),
        ),
        Kind(
            "pool",
            "max or average pooling (max pads with -inf; avg counts padded zeros)",
            "ncquiz.solvers.pooling:pool",
            "the pooled array, (H', W') or (C, H', W')",
            (
                Param("input", "array", "input (H, W) or (C, H, W)", ndims=(2, 3)),
                Param("size", "pair", "window size (int or [kh, kw])", minimum=1),
                Param("stride", "pair", "step between windows (default: the window size)", None, minimum=1),
                _padding(),
                Param("mode", "choice", "pooling function", "max", choices=("max", "avg")),
            ),
        ),
        Kind(
            "conv-transpose2d",
            "transposed convolution, as torch.nn.functional.conv_transpose2d",
            "ncquiz.solvers.convolution:conv_transpose2d",
            "(H', W') with H' = (H - 1)s - 2p + d(k - 1) + output_padding + 1; (O, H', W') for a 4-D kernel",
            (
                Param("input", "array", "input (H, W) or (C, H, W)", ndims=(2, 3)),
                Param("kernel", "array", "kernel (kh, kw), (C, kh, kw) or (C, O, kh, kw) as in PyTorch", ndims=(2, 3, 4)),
                _stride(),
                _padding("rows and columns cropped from each side of the full output (int or [ph, pw])"),
                Param("output_padding", "pair", "extra rows/columns added on one side (less than stride or dilation)", 0, minimum=0),
                _dilation(),
                Param("bias", "array", "bias: a number, or one per output channel", 0.0, ndims=(0, 1)),
            ),
        ),
        Kind(
            "upsample",
            "upsampling by an integer factor: nearest neighbour or bed of nails",
            "ncquiz.solvers.pooling:upsample",
            "(H*scale, W*scale), or (C, H*scale, W*scale)",
            (
                Param("input", "array", "input (H, W) or (C, H, W)", ndims=(2, 3)),
                Param("scale", "int", "upsampling factor", minimum=1),
                Param("mode", "choice", "nearest: copy each value; bed-of-nails: value top-left, zeros elsewhere",
                      "nearest", choices=("nearest", "bed-of-nails")),
            ),
        ),
        Kind(
            "output-size",
            "side length of a convolution, pooling or transposed-convolution output",
            "ncquiz.solvers.shapes:output_size",
            "an integer: floor((n + 2p - d(k-1) - 1)/s) + 1, or (n-1)s - 2p + d(k-1) + output_padding + 1 transposed",
            (
                Param("size", "int", "input side length n", minimum=1),
                Param("kernel", "int", "kernel side length k", minimum=1),
                Param("stride", "int", "stride s", 1, minimum=1),
                Param("padding", "int", "zero padding p on each side", 0, minimum=0),
                Param("dilation", "int", "dilation d", 1, minimum=1),
                Param("transpose", "bool", "true: transposed convolution", False),
                Param("output_padding", "int", "output padding (transposed only)", 0, minimum=0),
            ),
        ),
        Kind(
            "network",
            "output shape and parameter count of every layer of a network",
            "ncquiz.solvers.shapes:network",
            '{"layers": [{"layer", "output_shape", "params"}], "total_params"}',
            (
                Param("input", "shape", "input shape [H, W, C]"),
                Param("layers", "strings", 'layer strings, e.g. ["conv 6 5x5", "maxpool 2x2", "fc 10"]'),
            ),
        ),
        Kind(
            "recurrent-params",
            "number of parameters of an RNN, LSTM or GRU layer",
            "ncquiz.solvers.shapes:recurrent_params",
            "an integer",
            (
                Param("cell", "choice", "cell type", choices=("rnn", "lstm", "gru")),
                Param("input_size", "int", "input features D", minimum=1),
                Param("hidden_size", "int", "hidden units H", minimum=1),
                Param("bias", "choice", "single: one bias per gate (textbook); pytorch: two (b_ih and b_hh); none",
                      "single", choices=("single", "pytorch", "none")),
            ),
        ),
        Kind(
            "rnn",
            "forward pass of a vanilla (Elman) RNN",
            "ncquiz.solvers.recurrent:rnn",
            '{"h": (T, H), "y": (T, O)}; y only when w_hy is given',
            (
                Param("x", "array", "inputs (T, D), or (T,) when D = 1", ndims=(1, 2)),
                Param("w_xh", "array", "input-to-hidden weights (H, D), or a number when H = D = 1", ndims=(0, 2)),
                Param("w_hh", "array", "hidden-to-hidden weights (H, H), or a number when H = 1", ndims=(0, 2)),
                Param("b_h", "array", "hidden bias (H,) or a number", 0.0, ndims=(0, 1)),
                Param("h0", "array", "initial hidden state (H,) or a number", 0.0, ndims=(0, 1)),
                Param("w_hy", "array", "hidden-to-output weights (O, H), or a number when O = H = 1", None, ndims=(0, 2)),
                Param("b_y", "array", "output bias (O,) or a number", 0.0, ndims=(0, 1)),
                Param("activation", "choice", "hidden activation", "tanh", choices=("tanh", "relu")),
                Param("start", "int", "number of the first time step, for the worked steps (2 when h0 is h_1)", 1,
                      minimum=1),
            ),
        ),
        Kind(
            "lstm",
            "forward pass of an LSTM; each gate's weights act on [h_{t-1}; x_t] (h first)",
            "ncquiz.solvers.recurrent:lstm",
            '{"f", "i", "g", "o", "c", "h"}, each (T, H)',
            (
                Param("x", "array", "inputs (T, D), or (T,) when D = 1", ndims=(1, 2)),
                Param("w_f", "array", "forget-gate weights (H, H+D), or (H+D,) when H = 1", ndims=(1, 2)),
                Param("w_i", "array", "input-gate weights (H, H+D), or (H+D,) when H = 1", ndims=(1, 2)),
                Param("w_g", "array", "candidate weights (H, H+D), or (H+D,) when H = 1", ndims=(1, 2)),
                Param("w_o", "array", "output-gate weights (H, H+D), or (H+D,) when H = 1", ndims=(1, 2)),
                Param("b_f", "array", "forget-gate bias (H,) or a number", 0.0, ndims=(0, 1)),
                Param("b_i", "array", "input-gate bias (H,) or a number", 0.0, ndims=(0, 1)),
                Param("b_g", "array", "candidate bias (H,) or a number", 0.0, ndims=(0, 1)),
                Param("b_o", "array", "output-gate bias (H,) or a number", 0.0, ndims=(0, 1)),
                Param("h0", "array", "initial hidden state (H,) or a number", 0.0, ndims=(0, 1)),
                Param("c0", "array", "initial cell state (H,) or a number", 0.0, ndims=(0, 1)),
                Param("start", "int", "number of the first time step, for the worked steps (2 when h0 is h_1)", 1,
                      minimum=1),
            ),
        ),
        Kind(
            "activation",
            "an activation function applied elementwise (softmax over the last axis)",
            "ncquiz.solvers.elementwise:activation",
            "same shape as input",
            (
                Param("input", "array", "a number, vector or matrix", ndims=(0, 1, 2, 3)),
                Param("fn", "choice", "the function", choices=("relu", "leaky-relu", "tanh", "sigmoid", "softmax")),
                Param("slope", "number", "negative slope of leaky-relu", 0.01),
            ),
        ),
        Kind(
            "normalize",
            "min-max scaling, z-score or tanh normalisation of a vector",
            "ncquiz.solvers.elementwise:normalize",
            "same shape as input",
            (
                Param("input", "array", "the values (a vector)", ndims=(1,)),
                Param("method", "choice", "minmax, zscore, or tanh (tanh of the z-score)", choices=("minmax", "zscore", "tanh")),
                Param("range", "range", "target range of minmax", (0.0, 1.0)),
                Param("ddof", "int", "delta degrees of freedom of the standard deviation (0: population)", 0, minimum=0),
            ),
        ),
        Kind(
            "conv2d-backward",
            "gradients of a 2-D convolution (cross-correlation) layer",
            "ncquiz.solvers.backward:conv2d_backward",
            '{"grad_input": (H, W), "grad_kernel": (kh, kw), "grad_bias": number}',
            (
                Param("input", "array", "input (H, W)", ndims=(2,)),
                Param("kernel", "array", "kernel (kh, kw)", ndims=(2,)),
                Param("grad_output", "array", "gradient of the loss w.r.t. the output (H', W')", ndims=(2,)),
                _stride(),
                _padding(),
            ),
        ),
        Kind(
            "maxpool-backward",
            "gradient of max pooling w.r.t. its input",
            "ncquiz.solvers.backward:maxpool_backward",
            "(H, W): each window's gradient goes to its maximum (first one on ties); overlaps add",
            (
                Param("input", "array", "input (H, W)", ndims=(2,)),
                Param("size", "pair", "window size (int or [kh, kw])", minimum=1),
                Param("stride", "pair", "step between windows (default: the window size)", None, minimum=1),
                Param("grad_output", "array", "gradient of the loss w.r.t. the pooled output (H', W')", ndims=(2,)),
                _padding("padding with -inf on each side (int or [ph, pw])"),
            ),
        ),
        Kind(
            "vae",
            "VAE reparameterisation and KL term",
            "ncquiz.solvers.generative:vae",
            '{"sigma", "z", "kl"}: sigma = exp(logvar/2), z = mu + sigma*eps, kl = -1/2 sum(1 + logvar - mu^2 - exp(logvar))',
            (
                Param("mu", "array", "encoder means", ndims=(0, 1)),
                Param("logvar", "array", "encoder log-variances", ndims=(0, 1)),
                Param("eps", "array", "standard normal samples", ndims=(0, 1)),
            ),
        ),
        Kind(
            "gan",
            "GAN losses from discriminator outputs (natural log, batch means)",
            "ncquiz.solvers.generative:gan",
            '{"d_loss", "g_loss_minimax", "g_loss_nonsaturating"}',
            (
                Param("d_real", "array", "D(x) on real samples, each in (0, 1)", ndims=(0, 1)),
                Param("d_fake", "array", "D(G(z)) on generated samples, each in (0, 1)", ndims=(0, 1)),
            ),
        ),
        Kind(
            "clip-grad",
            "gradient clipping by norm",
            "ncquiz.solvers.recurrent:clip_grad",
            "grad * max_norm/||grad|| when ||grad|| > max_norm, else grad",
            (
                Param("grad", "array", "the gradient (a vector)", ndims=(0, 1)),
                Param("max_norm", "number", "largest allowed L2 norm (> 0)", minimum=0.0),
            ),
        ),
    )
}
