"""The syllabus topics (from the course's topics.md): every family carries one of these ids."""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "cnn.convolution": "convolution of an input with a kernel (cross-correlation as in CNN layers; true convolution with the flipped kernel), stride, zero padding, dilation, several channels and filters, bias",
    "cnn.pooling": "max and average pooling, downsampling by stride",
    "cnn.upsampling": "nearest-neighbour, bed of nails, max-unpooling, transposed convolution",
    "cnn.nonlinearity": "ReLU, leaky ReLU, tanh, sigmoid: values, derivatives, saturation, dying ReLU",
    "cnn.shapes": "size of conv / pool / transposed-conv outputs; feature-map sizes through a network",
    "cnn.parameters": "parameters of conv and fully connected layers and of whole networks; CNN vs fully connected",
    "cnn.backprop": "gradients of conv w.r.t. kernel, input, bias; max-pool gradient routing; ReLU gradient; the chain rule",
    "cnn.training": "how a network is trained: loss, softmax + cross-entropy, one gradient-descent step",
    "cnn.properties": "properties of CNNs relative to fully connected nets (local connectivity, weight sharing, translation equivariance, pooling invariance, fewer parameters); typical applications",
    "data.preprocessing": "min-max scaling, z-score, tanh normalisation",
    "rnn.basics": "recurrence, unfolding in time, shared weights, the computational graph; design criteria (variable length, long-term dependencies, order, shared parameters)",
    "rnn.forward": "hidden-state update at each step; outputs of an RNN for given inputs",
    "rnn.applications": "one to one, one to many, many to one, many to many; handling variable-length inputs",
    "rnn.bptt": "backpropagation through time; exploding and vanishing gradients (products of Jacobians / repeated factors); gradient clipping; remedies",
    "rnn.lstm": "forget, store (input), update (cell), output; gate values for given inputs; why LSTMs help; parameter counts",
    "ae.basics": "the auto-encoder, its training (reconstruction loss), the bottleneck and why, learnt features, parameter counts",
    "ae.uses": "dimensionality reduction, clustering, pretraining; what AEs are not good at and why",
    "vae.basics": "VAE as a regularised AE; reconstruction and KL terms and what each does; reparameterisation trick; relation to the AE",
    "vae.applications": "generating from the prior, interpolating between two inputs, changing one attribute (the encode / average / interpolate / decode algorithm), compression",
    "gan.basics": "generator and discriminator, the min-max objective, the training loop, the optimal discriminator, sampling new data",
    "gan.losses": "discriminator loss, the two generator losses (minimax / saturating vs non-saturating) and their gradients",
}

AREAS: dict[str, str] = {
    "cnn": "Convolutional networks",
    "data": "Data preprocessing",
    "rnn": "Recurrent networks and LSTMs",
    "ae": "Auto-encoders",
    "vae": "Variational auto-encoders",
    "gan": "Generative adversarial networks",
}


def matches(topic: str, selector: str) -> bool:
    """True when `topic` is `selector` or lies in the area `selector` (`cnn` selects `cnn.pooling`)."""
    return topic == selector or topic.startswith(selector + ".")
