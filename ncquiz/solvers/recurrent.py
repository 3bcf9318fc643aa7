"""Recurrent networks: the forward pass of a vanilla RNN and of an LSTM, and gradient clipping.

The time loop is Python (each step needs the previous hidden state); within a step all the
arithmetic is vectorised. Steps show at most _MAX_TIMES time steps, _MAX_UNITS units and
_SHOWN entries of a vector or terms of a sum.
"""

from __future__ import annotations

import math

import numpy as np

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution, fmt
from ncquiz.solvers.elementwise import relu, sigmoid
from ncquiz.solvers.fmt import num
from ncquiz.solvers.spec import MAX_ELEMENTS

_MAX_TIMES = 6
_MAX_UNITS = 4

_ACTIVATIONS = {"tanh": np.tanh, "relu": relu}

# ---------------------------------------------------------------- shapes


def _sequence(x):
    """x as (T, D): a vector is a sequence of single features."""
    return x.reshape(len(x), -1)


def _weights(field, w, n, rows, cols, told, source):
    """A weight matrix as (rows, n), checked against the n columns the other inputs fix; a number is 1x1."""
    if w.ndim == 0:
        if n != 1:
            raise ParamError(field, f"a number means {rows} = {cols} = 1, but {told}; give a matrix of shape ({rows}, {n})")
        return w.reshape(1, 1)
    if w.shape[1] != n:
        raise ParamError(field, f"expected shape ({rows}, {n}) ({rows} x {cols} with {cols} = {n} from {source}), "
                                f"got {w.shape}")
    return w


def _matrix(field, w, shape, why):
    """A matrix of exactly `shape`; a number stands for a 1 x 1 matrix."""
    if w.ndim == 0 and shape == (1, 1):
        return w.reshape(1, 1)
    if w.shape != shape:
        raise ParamError(field, f"expected shape {shape} ({why}), got {_got(w)}")
    return w


def _check_vector(field, v, n, why):
    """Refuse anything but a number (broadcast) or a vector of n entries."""
    if v.ndim and v.shape != (n,):
        raise ParamError(field, f"expected shape ({n},) ({why}), got {_got(v)}")


def _full(v, n):
    """A checked vector, or a number repeated n times."""
    return v if v.ndim else np.array([float(v)] * n)


def _check_size(field, count, what):
    """Refuse to build an answer of more than MAX_ELEMENTS values."""
    if count > MAX_ELEMENTS:
        raise ParamError(field, f"{what} would make {count:,} values (at most {MAX_ELEMENTS:,})")


def _got(a):
    """The shape of a given array, or 'a number'."""
    return "a number" if a.ndim == 0 else str(a.shape)


# ---------------------------------------------------------------- vanilla RNN


def rnn(x, w_xh, w_hh, b_h, h0, w_hy, b_y, activation, start=1):
    """h_t = act(W_xh x_t + W_hh h_(t-1) + b_h), and y_t = W_hy h_t + b_y when w_hy is given.

    `start` numbers the first time step in the worked steps (2 when h0 is h_1).
    """
    xs = _sequence(x)
    d = xs.shape[1]
    w_xh = _weights("w_xh", w_xh, d, "H", "D", f"x has D = {d} features", "x")
    h = w_xh.shape[0]
    why = f"H = {h} from w_xh"
    w_hh = _matrix("w_hh", w_hh, (h, h), f"H x H with {why}")
    _check_vector("b_h", b_h, h, why)
    _check_vector("h0", h0, h, why)
    _check_size("x", len(xs) * h, f"T = {len(xs)} time steps times H = {h} hidden units")
    h0 = _full(h0, h)
    a, hs = _rnn_forward(xs, w_xh, w_hh, b_h, h0, _ACTIVATIONS[activation])
    answer = {"h": hs}
    if w_hy is None:
        if b_y.ndim or b_y:
            raise ParamError("b_y", "an output bias needs w_hy (the output weights); give w_hy or leave b_y out")
    else:
        w_hy = _weights("w_hy", w_hy, h, "O", "H", f"H = {h} from w_xh", "w_xh")
        _check_size("w_hy", len(xs) * len(w_hy), f"T = {len(xs)} time steps times O = {len(w_hy)} outputs")
        _check_vector("b_y", b_y, w_hy.shape[0], f"O = {w_hy.shape[0]} from w_hy")
        answer["y"] = hs @ w_hy.T + b_y
    return Solution(answer, lambda: _rnn_steps(xs, w_xh, w_hh, b_h, h0, a, hs, activation, w_hy, b_y, answer.get("y"),
                                               start))


def _rnn_forward(xs, w_xh, w_hh, b_h, h0, act):
    """Pre-activations a (T, H) and hidden states h (T, H)."""
    a = xs @ w_xh.T + b_h
    h, hs = h0, []
    for a_t in a:
        a_t += w_hh @ h
        h = act(a_t)
        hs.append(h)
    return a, np.array(hs)


def _rnn_steps(xs, w_xh, w_hh, b_h, h0, a, hs, activation, w_hy, b_y, ys, start=1):
    """The formula, then each time step's arithmetic ending in h_t (and y_t), for the first time steps."""
    t_count, d = xs.shape
    h = hs.shape[1]
    o = 0 if ys is None else ys.shape[1]
    head = f"h_t = {activation}(W_xh x_t + W_hh h_(t-1) + b_h) with T = {t_count}, D = {d}, H = {h}"
    if o:
        head += f"; y_t = W_hy h_t + b_y with O = {o}"
    steps = [head + _UNIT_NOTE * (h > 1 or o > 1)]
    shown = min(t_count, _MAX_TIMES)
    x_s, a_s = _texts(xs[:shown, :_SHOWN]), _texts(a[:shown, :_SHOWN])
    h_s = [_texts(h0[:_SHOWN])] + _texts(hs[:shown, :_SHOWN])
    x_v, a_v, h_v = _shows(x_s, d), _shows(a_s, h), _shows(h_s, h)
    # factors of the products: written numbers, negatives in brackets
    w_p = [fmt.pars((wx + wh)[:_SHOWN])
           for wx, wh in zip(_texts(w_xh[:_MAX_UNITS, :_SHOWN]), _texts(w_hh[:_MAX_UNITS, :_SHOWN]))]
    b_p = fmt.pars(_first_units(b_h, h))
    a_lines = _unit_template("a_{0}", w_p, b_p, d + h, h)
    if o:
        y_s, wy_p, by_p = _texts(ys[:shown, :_SHOWN]), _factors(w_hy[:_MAX_UNITS, :_SHOWN]), fmt.pars(_first_units(b_y, o))
        y_lines, y_v = _unit_template("y_{0}", wy_p, by_p, h, o), _shows(y_s, o)
    for t in range(shown):
        k, n = t + 1, t + start  # k indexes h_s; n is the time step's number
        v = fmt.pars(x_s[t] + h_s[t])
        text = (f"t = {n}: x_{n} = {x_v[t]}, h_{n - 1} = {h_v[t]}\n"
                + (a_lines.format(n, *v, *a_s[t]) if a_lines else _unit_lines(f"a_{n}", w_p, v, d + h, b_p, a_s[t], h))
                + f"\n  h_{n} = {activation}({a_v[t]}) = {h_v[k]}")
        if o:
            v = fmt.pars(h_s[k])
            text += "\n" + (y_lines.format(n, *v, *y_s[t]) if y_lines else _unit_lines(f"y_{n}", wy_p, v, h, by_p, y_s[t], o))
            if o > 1:
                text += f"\n  y_{n} = {y_v[t]}"
        steps.append(text)
    return tuple(steps + _more_times(t_count, start))


# ---------------------------------------------------------------- LSTM

_GATE_NAMES = ("f", "i", "g", "o")


def lstm(x, w_f, w_i, w_g, w_o, b_f, b_i, b_g, b_o, h0, c0, start=1):
    """LSTM forward pass; each gate's weights act on [h_(t-1); x_t]."""
    xs = _sequence(x)
    d = xs.shape[1]
    w_f = _gate_weights("w_f", w_f, d, None)
    h = w_f.shape[0]
    w = np.concatenate([w_f] + [_gate_weights(f"w_{g}", v, d, h) for g, v in zip("igo", (w_i, w_g, w_o))])
    why = f"H = {h} from w_f"
    b = np.empty(4 * h)
    for j, (name, v) in enumerate(zip(_GATE_NAMES, (b_f, b_i, b_g, b_o))):
        _check_vector(f"b_{name}", v, h, why)
        b[j * h:(j + 1) * h] = v
    _check_vector("h0", h0, h, why)
    _check_vector("c0", c0, h, why)
    _check_size("x", len(xs) * 4 * h, f"T = {len(xs)} time steps times 4H = {4 * h} gate values")
    h0, c0 = _full(h0, h), _full(c0, h)
    z, gates, cs, hs = _lstm_forward(xs, w, b, h0, c0)
    answer = {name: gates[:, j * h:(j + 1) * h] for j, name in enumerate(_GATE_NAMES)}
    answer["c"], answer["h"] = cs, hs
    return Solution(answer, lambda: _lstm_steps(xs, w, b, h0, c0, z, gates, answer, start))


def _gate_weights(field, w, d, h):
    """One gate's weights as (H, H+D); a vector means H = 1; h is None for w_f, which sets H."""
    if h is None:
        h = 1 if w.ndim == 1 else w.shape[0]
        source = "H = 1 as w_f is a vector" if w.ndim == 1 else f"H = {h} rows of w_f"
    else:
        source = f"H = {h} from w_f"
    if w.ndim == 1 and h == 1 and len(w) == 1 + d:
        return w.reshape(1, -1)
    if w.shape == (h, h + d):
        return w
    want = f"({1 + d},) or (1, {1 + d})" if h == 1 else f"({h}, {h + d})"
    raise ParamError(field, f"expected shape {want} (H x (H+D) with {source}, D = {d} from x), got {_got(w)}")


def _lstm_forward(xs, w, b, h0, c0):
    """Pre-activations z and gate values (T, 4H) in the order f, i, g, o; cells c and states h (T, H)."""
    n = len(h0)
    z = xs @ w[:, n:].T + b
    w_h = w[:, :n]
    h, c, gates, cs, hs = h0, c0, [], [], []
    for z_t in z:
        z_t += w_h @ h
        s = sigmoid(z_t)
        s[2 * n:3 * n] = np.tanh(z_t[2 * n:3 * n])
        c = s[:n] * c + s[n:2 * n] * s[2 * n:3 * n]
        h = s[3 * n:] * np.tanh(c)
        gates.append(s)
        cs.append(c)
        hs.append(h)
    return z, np.array(gates), np.array(cs), np.array(hs)


def _lstm_steps(xs, w, b, h0, c0, z, gates, ans, start=1):
    """The formulas, then each time step's gates, c_t and h_t with numbers, for the first time steps."""
    t_count, d = xs.shape
    h = len(h0)
    steps = [
        f"[h_(t-1); x_t] is the previous state followed by the input (H = {h}, D = {d}, T = {t_count})"
        + _UNIT_NOTE * (h > 1),
        "f_t = sigmoid(W_f [h_(t-1); x_t] + b_f), i_t = sigmoid(W_i [h_(t-1); x_t] + b_i), "
        "g_t = tanh(W_g [h_(t-1); x_t] + b_g), o_t = sigmoid(W_o [h_(t-1); x_t] + b_o)",
        "c_t = f_t*c_(t-1) + i_t*g_t,  h_t = o_t*tanh(c_t)",
    ]
    shown, m = min(t_count, _MAX_TIMES), min(h, _MAX_UNITS)
    x_s = _texts(xs[:shown, :_SHOWN])
    h_s = [_texts(h0[:_SHOWN])] + _texts(ans["h"][:shown, :_SHOWN])
    c_s = [_texts(c0[:_SHOWN])] + _texts(ans["c"][:shown, :_SHOWN])
    # [gate][unit][column], [gate][unit] and [t][gate][unit] for the units shown
    # factors of the products (written numbers, negatives in brackets): [gate][unit][column] and [gate][unit]
    w_p, b_p = _factors(w.reshape(4, h, -1)[:, :m, :_SHOWN]), _factors(b.reshape(4, h)[:, :m])
    gate_lines = _gates_template(w_p, b_p, h + d, h)
    # per time step, the units shown of the four gates in a row: [t][gate * m + unit]
    z_s = _texts(z[:shown].reshape(shown, 4, h)[:, :, :m].reshape(shown, 4 * m))
    g_s = _texts(gates[:shown].reshape(shown, 4, h)[:, :, :m].reshape(shown, 4 * m))
    for t in range(shown):
        k, n = t + 1, t + start  # k indexes h_s and c_s; n is the time step's number
        v = (h_s[t] + x_s[t])[:_SHOWN]
        v_p = fmt.pars(v)
        lines = [f"t = {n}: [h_{n - 1}; x_{n}] = {_show(v, h + d)}"]
        gate = [g_s[t][j * m : (j + 1) * m] for j in range(4)]  # f, i, g, o
        if gate_lines:
            lines.append(gate_lines.format(n, *v_p, *z_s[t], *g_s[t]))
        else:
            for j, name in enumerate(_GATE_NAMES):
                fn = "tanh" if name == "g" else "sigmoid"
                z_j = z_s[t][j * m : (j + 1) * m]
                lines += _gate_lines(f"{name}_{n}", fn, w_p[j], v_p, h + d, b_p[j], z_j, gate[j], h)
        lines += _cell_lines(n, *gate, c_s[t], c_s[k], h_s[k], h)
        if h > 1:
            lines.append(f"  c_{n} = {_show(c_s[k], h)}, h_{n} = {_show(h_s[k], h)}")
        steps.append("\n".join(lines))
    return tuple(steps + _more_times(t_count, start))


def _gate_lines(label, fn, rows, v, n, b, z, values, units):
    """'f_1 = sigmoid(w*v + ... + b) = sigmoid(z) = value' for the first units (rows, v and b as for `_dot`)."""
    out = []
    for u in range(min(units, _MAX_UNITS)):
        name = label if units == 1 else f"{label}[{u + 1}]"
        out.append(f"  {name} = {fn}({_dot(rows[u], v, n, b[u])}) = {fn}({z[u]}) = {values[u]}")
    return out + _more_units(units)


def _gates_template(w_p, b_p, n, units):
    """All four gates' `_gate_lines` as a str.format template, or None when n products are too many to write.

    {0} is the time step's number, {1} to {n} the factors of [h_(t-1); x_t] (bracketed), then come
    the pre-activations of the units shown, gate by gate, then their values in the same order.
    """
    if n > _SHOWN:
        return None
    m = min(units, _MAX_UNITS)
    lines = []
    for j, (name, rows, b) in enumerate(zip(_GATE_NAMES, w_p, b_p)):
        fn = "tanh" if name == "g" else "sigmoid"
        for u in range(m):
            label = f"{name}_{{0}}" if units == 1 else f"{name}_{{0}}[{u + 1}]"
            at = n + 1 + j * m + u
            lines.append(f"  {label} = {fn}({_products(rows[u], b[u])}) = {fn}({{{at}}}) = {{{at + 4 * m}}}")
        lines += _more_units(units)
    return "\n".join(lines)


def _cell_lines(k, f, i, g, o, c_prev, c, h, units):
    """c_t = f*c_(t-1) + i*g and h_t = o*tanh(c_t) with numbers, for the first units."""
    out = []
    for u in range(min(units, _MAX_UNITS)):
        sub = "" if units == 1 else f"[{u + 1}]"
        out.append(f"  c_{k}{sub} = f*c_{k - 1} + i*g = {_par(f[u])}*{_par(c_prev[u])} + {_par(i[u])}*{_par(g[u])} "
                   f"= {c[u]}")
        out.append(f"  h_{k}{sub} = o*tanh(c_{k}) = {_par(o[u])}*tanh({c[u]}) = {h[u]}")
    return out + _more_units(units)


# ---------------------------------------------------------------- gradient clipping


def clip_grad(grad, max_norm):
    """grad * max_norm/||grad|| when ||grad|| > max_norm, else grad unchanged."""
    if max_norm <= 0:
        raise ParamError("max_norm", f"must be greater than 0, got {num(max_norm)}")
    norm = _norm(grad)
    if not math.isfinite(norm):
        raise ParamError("grad", "its norm is too large to represent (overflow)")
    g_text = _show(_texts(grad.reshape(-1)[:_SHOWN]), grad.size)
    steps = [f"||g|| = {_norm_text(grad, norm)}"]
    if norm <= max_norm:
        steps.append(f"||g|| = {num(norm)} <= max_norm = {num(max_norm)}: no clipping, g is unchanged")
        return Solution(grad.copy(), tuple(steps + [f"g = {g_text}"]))
    scale = max_norm / norm
    result = grad * scale
    steps += [
        f"||g|| = {num(norm)} > max_norm = {num(max_norm)}: clip",
        f"scale = max_norm/||g|| = {num(max_norm)}/{num(norm)} = {num(scale)}",
        f"g = {num(scale)} * {_par(g_text)} = {_show(_texts(result.reshape(-1)[:_SHOWN]), grad.size)}",
    ]
    return Solution(result, tuple(steps))


def _norm(grad):
    """The L2 norm, without intermediate overflow or underflow."""
    return math.hypot(*grad.ravel().tolist())


def _norm_text(grad, norm):
    """'sqrt(3^2 + 4^2) = sqrt(25) = 5' (long sums shortened)."""
    terms = [f"{_par(x)}^2" for x in _texts(grad.reshape(-1)[:_SHOWN])]
    if grad.size > _SHOWN:
        terms[-1] = f"... ({grad.size - _SHOWN + 1} more squares)"
    square = norm * norm
    total = f" = sqrt({num(square)})" if math.isfinite(square) and (square > 0 or norm == 0) else ""
    return f"sqrt({' + '.join(terms)}){total} = {num(norm)}"


# ---------------------------------------------------------------- writing steps

_UNIT_NOTE = "; [j] is unit j, counted from 1"
_SHOWN = 8
"""Entries of a vector written out; longer vectors and sums are shortened."""


def _texts(a):
    """An array (1-D or more) as nested lists of written numbers."""
    if a.ndim == 2:
        return fmt.num_rows(a.tolist())
    return _written(a.tolist())


def _written(values):
    """Nested lists of floats with each number written out."""
    if values and isinstance(values[0], list):
        if values[0] and isinstance(values[0][0], list):
            return [_written(v) for v in values]
        return fmt.num_rows(values)
    return fmt.nums(values)


def _factors(a):
    """`_texts` with negatives in brackets, as factors of products."""
    return _bracketed(_texts(a))


def _bracketed(texts):
    """Nested lists of written numbers with the negative ones in brackets."""
    if texts and isinstance(texts[0], list):
        return [_bracketed(t) for t in texts]
    return fmt.pars(texts)


def _first_units(b, n):
    """A bias written for its first units (a number stands for every unit)."""
    if b.ndim == 0:
        return [num(b)] * min(n, _MAX_UNITS)
    return fmt.nums(b[:_MAX_UNITS].tolist())


def _par(text):
    """A written number for a product: negatives in brackets."""
    return f"({text})" if text[0] == "-" else text


def _show(texts, n):
    """A written vector of n entries as [a, b, c] (shortened), or a single entry alone."""
    if n == 1:
        return texts[0]
    return "[" + ", ".join(texts[:_SHOWN]) + (f", ... ({n} entries)]" if n > _SHOWN else "]")


def _shows(rows, n):
    """`_show` of each of a list of written vectors of n entries."""
    if n == 1:
        return [texts[0] for texts in rows]
    end = f", ... ({n} entries)]" if n > _SHOWN else "]"
    return ["[" + ", ".join(texts[:_SHOWN]) + end for texts in rows]


def _dot(w, v, n, b):
    """'w1*v1 + w2*v2 + ... + b' for n products (long sums shortened).

    w, v and b are written numbers with negatives already in brackets (`fmt.pars`).
    """
    if n <= _SHOWN:
        return " + ".join(map("*".join, zip(w, v))) + " + " + b
    terms = list(map("*".join, zip(w[:_SHOWN - 1], v)))
    terms.append(f"... ({n - _SHOWN + 1} more products)")
    return " + ".join(terms) + " + " + b


def _unit_lines(label, rows, v, n, b, values, units):
    """'a_1 = w*x + ... + b = value' for the first units, as lines of text (rows, v and b as for `_dot`)."""
    out = []
    for u in range(min(units, _MAX_UNITS)):
        name = label if units == 1 else f"{label}[{u + 1}]"
        out.append(f"  {name} = {_dot(rows[u], v, n, b[u])} = {values[u]}")
    return "\n".join(out + _more_units(units))


def _unit_template(label, rows, b, n, units):
    """`_unit_lines` as a str.format template, or None when n products are too many to write.

    label holds {0}, the time step's number; {1} to {n} are the right-hand factors (bracketed), and
    the values of the units shown follow. Written numbers hold no braces.
    """
    if n > _SHOWN:
        return None
    lines = []
    for u, (row, bias) in enumerate(zip(rows, b)):
        name = label if units == 1 else f"{label}[{u + 1}]"
        lines.append(f"  {name} = {_products(row, bias)} = {{{n + 1 + u}}}")
    return "\n".join(lines + _more_units(units))


def _products(row, bias):
    """'0.5*{1} + (-1)*{2} + 0.1': `_dot` of written weights with the other factors as str.format fields."""
    return " + ".join([f"{w}*{{{i}}}" for i, w in enumerate(row, 1)] + [bias])


def _more_units(n):
    """A note when units were left out."""
    if n <= _MAX_UNITS:
        return []
    rest = f"unit {n}" if n == _MAX_UNITS + 1 else f"units {_MAX_UNITS + 1} to {n}"
    return [f"  ... and likewise for {rest}"]


def _more_times(t_count, start=1):
    """A step noting the time steps left out."""
    if t_count <= _MAX_TIMES:
        return []
    return [f"... and likewise for t = {_MAX_TIMES + start} to {t_count + start - 1}"]
