"""Short answers as students type them, marked against the bank's rubrics.

Each row of ANSWERS is one answer to one text part with the range of scores a fair human marker
would give it. A row with `limit=` is an answer on which the phrase matcher and a fair marker
disagree for a reason the rubric cannot fix (the reason says which); it is expected to fail
(strict xfail), so a matcher that learns to handle it shows up as XPASS and the row should then
lose its `limit`.

A failure names the family, the part and the answer; `ncquiz show FAMILY` shows the question.
"""

from collections import Counter
from typing import NamedTuple

import pytest

from ncquiz.bank import load_bank
from ncquiz.marking.mark import Marker
from ncquiz.marking.rubric import points_made

BANK = load_bank()
SEED = 0  # rubrics do not depend on the parameters; any variant will do


class Case(NamedTuple):
    family: str
    part: str
    answer: str
    lo: float  # lowest score a fair marker gives
    hi: float  # highest score a fair marker gives
    note: str
    limit: str | None = None  # why the matcher cannot agree (a known limitation)


NEGATION_SCOPE = "negation is looked for only in the 3 words before a phrase"
CONTEXT = "a phrase is credited whatever the statement around it says"

ANSWERS = [
    # ------------------------------------------------------------------ nonlinearity-short (a): 4 marks
    Case("nonlinearity-short", "a",
         "If its input is always negative the ReLU outputs 0 for all inputs, the gradient is zero so the weights "
         "stop updating and the unit is dead for good. A leaky ReLU can still pass a small gradient for "
         "negative inputs.", 4, 4, "'dead for good', 'still pass a small gradient' (a reviewer's phrasings)"),
    Case("nonlinearity-short", "a",
         "Dying ReLU: if a neuron's pre-activation is negative for every input it always outputs 0, and since "
         "ReLU's derivative is 0 there no gradient flows back, so its weights never get updated and it is dead "
         "for good. Leaky ReLU: f(x) = x for x > 0 and 0.01x otherwise, so the gradient for negative inputs is "
         "small but non-zero and the neuron can recover.", 4, 4, "full textbook answer"),
    Case("nonlinearity-short", "a",
         "neurons get stuck outputting 0 -> grad = 0 -> weights never update, neuron is permanently dead. "
         "leaky relu = max(0.01x, x), small slope for x<0 so grad never 0", 4, 4, "terse, 'grad'"),
    Case("nonlinearity-short", "a",
         "the neuron outputs 0 for any input, the derivative is 0 so it never learns again. leaky ReLU: x if "
         "x>=0, ax (a = 0.01) if x<0, so there's still a gradient and it can come back to life", 4, 4,
         "'for any input', 'ax'"),
    Case("nonlinearity-short", "a",
         "A dead ReLU is one that only ever outputs zero because its input is always negative. Then the "
         "gradient is zero and it stops learning.", 2, 3, "the problem only, no leaky ReLU"),
    Case("nonlinearity-short", "a",
         "Leaky ReLU is f(x) = max(αx, x) where α is a small constant like 0.01.", 1, 2, "leaky definition only"),
    Case("nonlinearity-short", "a",
         "ReLU(x) = max(0, x) is cheap to compute and its output for positive x is unbounded, which can make "
         "activations blow up.", 0, 0, "off-topic; mentions x (the phrase 'αx' once matched any 'x')"),
    Case("nonlinearity-short", "a",
         "Dying ReLU means the gradients become huge and explode so training diverges. Leaky ReLU clips the "
         "activations to stop this.", 0, 0, "wrong explanation"),
    Case("nonlinearity-short", "a",
         "Neurons with negative input have zero gradient so they can't learn and cannot recover. Leaky ReLU "
         "gives them a small negative slope instead", 3, 4, "'can't learn and cannot recover'"),
    Case("nonlinearity-short", "a",
         "Dying ReLU is when the output is always 0 for negative inputs, which is normal. Leaky ReLU has a "
         "small slope for positive inputs which makes the gradient bigger so training is faster.", 0, 1,
         "over-claim: 'always 0' and 'small slope' in wrong statements", limit=CONTEXT),

    # ------------------------------------------------------------------ fc-vs-conv-short (c): 3 marks
    Case("fc-vs-conv-short", "c",
         "Weight sharing - the same 3x3 filter is used at every position. Local connectivity - each output only "
         "looks at a small 3x3 window of the input, while an FC layer connects every input to every output.",
         3, 3, "full"),
    Case("fc-vs-conv-short", "c",
         "- params shared across spatial locations\n- sparse connectivity (local receptive fields)\n"
         "- FC: a weight for every input-output pair", 3, 3, "bullets, 'params'"),
    Case("fc-vs-conv-short", "c",
         "In a CNN each neuron is only connected to a local patch of the image and the kernel weights are "
         "reused as it slides over the image; in a dense layer every neuron is connected to all the input "
         "pixels.", 3, 3, "everyday wording"),
    Case("fc-vs-conv-short", "c", "The kernel weights are shared across the whole image.", 1, 1, "'shared across'"),
    Case("fc-vs-conv-short", "c",
         "Its weights are shared and each output only sees a small window, and the conv layer's parameter count "
         "doesn't grow with image size.", 3, 3, "'doesn't grow with' (a reviewer's phrasing)"),
    Case("fc-vs-conv-short", "c",
         "The FC layer has no weight sharing and no local connectivity: every input is connected to every output.",
         2, 3, "the contrast stated from the FC side",
         limit="a negation cannot tell which layer it is about ('the FC layer has no weight sharing')"),
    Case("fc-vs-conv-short", "c", "Because conv layers use weight sharing.", 1, 1, "one reason"),
    Case("fc-vs-conv-short", "c",
         "The conv layer's count (k*k*C+1)*F doesn't depend on the size of the image, whereas the FC count "
         "grows with the input size times the output size.", 1, 2, "size independence only"),
    Case("fc-vs-conv-short", "c",
         "The conv layer has fewer parameters because pooling shrinks the image, and the fully connected layer "
         "has more neurons.", 0, 0, "wrong reason"),
    Case("fc-vs-conv-short", "c", "CNN kernels do not share weights; the kernel is just smaller.", 0, 1,
         "negates weight sharing"),
    Case("fc-vs-conv-short", "c",
         "Without weight sharing, each of the output positions would need its own set of weights. Also each "
         "conv output only depends on a small neighbourhood of the input.", 2, 3,
         "counterfactual 'without weight sharing'",
         limit="'Without weight sharing, ...' makes the point as a counterfactual but counts as negated"),
    Case("fc-vs-conv-short", "c",
         "The FC layer uses weight sharing, so every input is connected to every output, and the conv layer "
         "does not.", 0, 1, "over-claim: sharing attributed to the FC layer", limit=CONTEXT),

    # ------------------------------------------------------------------ training-short (a): 4 marks
    Case("training-short", "a",
         "1. Forward pass: feed a mini-batch of images through the network to get predictions\n"
         "2. Compute the loss (cross-entropy) between predictions and labels\n"
         "3. Backprop to get the gradient of the loss wrt every weight\n"
         "4. Update the weights with gradient descent w <- w - lr*dL/dw\n"
         "5. Repeat for many epochs", 4, 4, "numbered list"),
    Case("training-short", "a", "fwd pass -> loss -> backprop -> SGD step, repeat", 3, 4, "terse arrows"),
    Case("training-short", "a",
         "Initialise weights randomly, then for each epoch: forward propagate the batch, calculate cross "
         "entropy loss, back-propagate the error, update params with Adam.", 4, 4, "British spelling, Adam"),
    Case("training-short", "a",
         "Feed the images through the network, compute the cross-entropy loss, backpropagate to get gradients "
         "and take a gradient descent step; repeat over the training set.", 4, 4, "one sentence"),
    Case("training-short", "a", "We use backpropagation to train the network.", 1, 1, "one step only"),
    Case("training-short", "a",
         "Compute the error between the output and the label, and adjust the weights to reduce it.", 1, 2,
         "vague but the right idea"),
    Case("training-short", "a", "The images are clustered with k-means and the clusters are used as the features.",
         0, 0, "wrong"),
    Case("training-short", "a",
         "The kernels are fixed edge detectors that are never trained; only the last layer is trained by "
         "repeating gradient descent until the loss converges.", 1, 2, "over-claim: kernels not trained",
         limit=CONTEXT),

    # ------------------------------------------------------------------ cnn-applications-short (a): 3 marks
    Case("cnn-applications-short", "a", "Image classification, object detection, image segmentation", 3, 3,
         "three names"),
    Case("cnn-applications-short", "a",
         "- recognising handwritten digits (MNIST)\n- face recognition to unlock phones\n"
         "- tumour detection in MRI scans", 3, 3, "examples, British spelling"),
    Case("cnn-applications-short", "a", "self driving cars, medical imaging, speech recognition from spectrograms",
         3, 3, "domains"),
    Case("cnn-applications-short", "a", "image recognition, object localization, video analysis", 3, 3,
         "American spelling"),
    Case("cnn-applications-short", "a", "Recognizing faces, denoising photos, and pixel-wise labeling for segmentation",
         3, 3, "American spelling"),
    Case("cnn-applications-short", "a", "image classification e.g. cat vs dog", 1, 1, "one application"),
    Case("cnn-applications-short", "a", "Classifying cats vs dogs, classifying digits and classifying cars.", 1, 1,
         "three of the same kind"),
    Case("cnn-applications-short", "a", "Stock price prediction, machine translation and chatbots.", 0, 0,
         "RNN applications"),
    Case("cnn-applications-short", "a",
         "Sequence tasks such as time series forecasting, sentiment analysis and music generation.", 0, 1,
         "mostly RNN tasks; 1-D CNNs on time series are defensible"),

    # ------------------------------------------------------------------ cnn-properties-short (a): 3 marks
    Case("cnn-properties-short", "a", "Local connectivity, weight sharing, translation invariance.", 3, 3,
         "three names"),
    Case("cnn-properties-short", "a",
         "1) sparse connections - each neuron only sees a small region\n2) shared weights -> far fewer params\n"
         "3) equivariant to translation", 3, 3, "numbered, 'params'"),
    Case("cnn-properties-short", "a",
         "They keep the spatial structure of the image, learn hierarchical features (edges -> shapes -> "
         "objects), and pooling gives invariance to small shifts.", 2, 3, "structure, hierarchy, invariance"),
    Case("cnn-properties-short", "a", "They have far fewer params than FC networks.", 1, 1, "one property, 'params'"),
    Case("cnn-properties-short", "a", "CNNs have weights that are shared, unlike FC nets, so there are fewer weights.",
         2, 2, "'weights that are shared'"),
    Case("cnn-properties-short", "a", "They look at neighbouring pixels together.", 1, 1, "locality in plain words"),
    Case("cnn-properties-short", "a",
         "CNNs do not share weights between positions and are not translation invariant, but they are deeper.",
         0, 0, "negated properties"),
    Case("cnn-properties-short", "a",
         "They are fully connected, use the same weights in every layer and are invariant to rotation.", 0, 0,
         "over-claim: 'same weights' in a wrong statement", limit=CONTEXT),
    Case("cnn-properties-short", "a", "Weight sharing is not used in CNNs; each position has its own kernel.", 0, 0,
         "negation after the phrase", limit="a negation after the phrase ('... is not used') is not seen"),
    Case("cnn-properties-short", "a", "CNNs not only share weights but also use local receptive fields.", 2, 2,
         "'not only ... but also'", limit="'not only X' counts as a negation of X"),

    # ------------------------------------------------------------------ rnn-design-short (a): 4 marks
    Case("rnn-design-short", "a",
         "1. handle variable length sequences 2. track long-term dependencies 3. maintain info about order "
         "4. share parameters across the sequence", 4, 4, "the four criteria"),
    Case("rnn-design-short", "a",
         "Deal with inputs of different lengths; remember things from far back; the order matters ('dog bites "
         "man' vs 'man bites dog'); same weights at each time step", 4, 4, "own words"),
    Case("rnn-design-short", "a", "- sequences of varying length\n- long-term deps\n- word order\n- param sharing",
         4, 4, "terse bullets"),
    Case("rnn-design-short", "a",
         "It should handle sequences of any length and keep track of long range dependencies.", 2, 2,
         "two criteria"),
    Case("rnn-design-short", "a", "It has to work no matter the length of the sequence.", 1, 1, "'no matter the length'"),
    Case("rnn-design-short", "a", "It should process the words in order to understand the sentence.", 0, 1,
         "'in order to' is not the order criterion"),
    Case("rnn-design-short", "a", "It should be fast, accurate and efficient, with low memory use.", 0, 0,
         "off-topic; 'memory' is not memory of the past"),
    Case("rnn-design-short", "a",
         "The weights should be different at every time step, and all sequences should be cut to a fixed "
         "length.", 0, 0, "the opposite of two criteria"),
    Case("rnn-design-short", "a", "It does not need to remember earlier inputs, and the weights are not shared.",
         0, 0, "negated", limit=NEGATION_SCOPE + " ('not need to remember earlier inputs')"),

    # ------------------------------------------------------------------ rnn-design-short (b): 2 marks
    Case("rnn-design-short", "b",
         "Its input layer has a fixed size, so it can't take sequences of different lengths, and it learns "
         "separate weights for each position, so nothing is shared between time steps.", 2, 2, "full"),
    Case("rnn-design-short", "b", "fixed input size; no param sharing -> too many params", 2, 2,
         "terse, 'params'"),
    Case("rnn-design-short", "b",
         "You'd have to pad or truncate every sequence to the same length, and it would have to learn the same "
         "pattern separately at every position.", 2, 2, "pad/truncate, every position"),
    Case("rnn-design-short", "b", "All sequences would need padding to one length.", 1, 1, "'padding'"),
    Case("rnn-design-short", "b",
         "Because a feed-forward network cannot be trained with backpropagation and has no hidden layers.", 0, 0,
         "wrong"),
    Case("rnn-design-short", "b", "Its input size is not fixed and it shares its weights across positions.", 0, 0,
         "over-claim: wrong statements with the rubric's words"),

    # ------------------------------------------------------------------ rnn-io-short (a): 2 marks
    Case("rnn-io-short", "a", "One to many: image captioning. Many to one: sentiment analysis.", 2, 2, "two types"),
    Case("rnn-io-short", "a",
         "many-to-one: classifying the sentiment of a movie review\nmany-to-many: machine translation "
         "(English -> French)", 2, 2, "lines"),
    Case("rnn-io-short", "a", "Speech recognition (many to many), music generation (one to many)", 2, 2,
         "brackets"),
    Case("rnn-io-short", "a",
         "Many to one: spam detection for emails. One to many: generating a text description of a photo.", 2, 2,
         "'description of a photo'"),
    Case("rnn-io-short", "a", "Sentiment analysis is many to one.", 1, 1, "one application"),
    Case("rnn-io-short", "a", "Image classification (one to many) and object detection (many to one).", 0, 0,
         "CNN tasks"),
    Case("rnn-io-short", "a", "Machine translation is one to one and image captioning is many to one.", 0, 1,
         "right applications, wrong types", limit="the type named with an application is not checked"),

    # ------------------------------------------------------------------ rnn-io-short (b): 1 mark
    Case("rnn-io-short", "b",
         "In one the input and output have the same length (one output per time step); in the other "
         "(encoder-decoder) the output length can differ.", 1, 1, "full"),
    Case("rnn-io-short", "b", "synced vs delayed", 1, 1, "terse"),
    Case("rnn-io-short", "b", "Seq2seq reads the whole input first, then produces the output.", 1, 1, "seq2seq"),
    Case("rnn-io-short", "b", "One has more hidden layers than the other.", 0, 0, "wrong"),
    Case("rnn-io-short", "b", "One uses LSTM cells and the other uses GRU cells.", 0, 0, "wrong"),
    Case("rnn-io-short", "b", "Both have the same length; one just has more layers.", 0, 0,
         "over-claim: 'same length' in a wrong statement", limit=CONTEXT),

    # ------------------------------------------------------------------ rnn-variable-length-short (a): 3 marks
    Case("rnn-variable-length-short", "a",
         "The same cell with shared weights is applied at each time step, one element at a time, so it just "
         "runs for as many steps as the sequence is long. The hidden state carries information from step to "
         "step, and at the end of the sequence the final hidden state is used.", 3, 3, "full"),
    Case("rnn-variable-length-short", "a",
         "it processes one word at a time and updates h_t each step; stops when it reaches the <EOS> token", 3, 3,
         "h_t, EOS token"),
    Case("rnn-variable-length-short", "a",
         "It unrolls the network over the length of the input, and keeps a memory of previous inputs in its "
         "hidden state.", 2, 3, "unroll + hidden state"),
    Case("rnn-variable-length-short", "a",
         "Sequences in a batch are padded to the same length and the padding is masked out.", 1, 1,
         "padding only"),
    Case("rnn-variable-length-short", "a",
         "It resizes every input to a fixed length before feeding it in, like a CNN.", 0, 0, "wrong"),
    Case("rnn-variable-length-short", "a",
         "It has separate weights for each position in the sequence, so a longer sequence just uses more "
         "weights.", 0, 0, "wrong: no sharing"),
    Case("rnn-variable-length-short", "a",
         "It uses different weights at each time step depending on the length of the sequence.", 0, 0,
         "over-claim", limit=CONTEXT + " ('at each time step', 'length of the sequence')"),

    # ------------------------------------------------------------------ bptt-remedies-short (a): 3 marks
    Case("bptt-remedies-short", "a", "Gradient clipping, LSTM/GRU cells, initialise W_hh to the identity.", 3, 3,
         "three names"),
    Case("bptt-remedies-short", "a", "1) clip grads 2) use LSTMs 3) use ReLU instead of tanh", 3, 3, "terse"),
    Case("bptt-remedies-short", "a", "Truncated BPTT, skip connections, better weight initialisation", 3, 3,
         "three others"),
    Case("bptt-remedies-short", "a", "initialization of W_hh with an orthogonal matrix, gradient clipping and GRUs",
         3, 3, "American spelling"),
    Case("bptt-remedies-short", "a", "use an LSTM", 1, 1, "one method"),
    Case("bptt-remedies-short", "a", "Add dropout, batch norm and L2 regularisation.", 0, 0,
         "not remedies for this"),
    Case("bptt-remedies-short", "a", "Use a bigger learning rate, more layers and a sigmoid activation function.",
         0, 0, "over-claim: 'activation function' (sigmoid makes it worse)"),

    # ------------------------------------------------------------------ bptt-remedies-short (b): 1 mark
    Case("bptt-remedies-short", "b",
         "Gradient clipping - it only scales down gradients that are too big, it can't make small ones bigger.",
         1, 1, "full"),
    Case("bptt-remedies-short", "b", "clipping", 1, 1, "one word"),
    Case("bptt-remedies-short", "b", "LSTM, because the forget gate stops the gradient from exploding.", 0, 0,
         "wrong"),
    Case("bptt-remedies-short", "b", "Not clipping - it's ReLU, because ReLU only stops exploding.", 0, 0,
         "negated"),
    Case("bptt-remedies-short", "b", "LSTMs; gradient clipping helps with both.", 0, 0, "over-claim",
         limit=CONTEXT),
    Case("bptt-remedies-short", "b", "LSTM. Clipping wouldn't help here.", 0, 0, "'wouldn't'",
         limit="a negation after the phrase ('clipping wouldn't help') is not seen"),

    # ------------------------------------------------------------------ lstm-why-short (a): 4 marks
    Case("lstm-why-short", "a",
         "An LSTM has a cell state c_t as well as h_t. The forget gate decides what to throw away from c_{t-1}, "
         "the input gate decides what new info to store, the cell state is updated c_t = f*c_{t-1} + i*g, and "
         "the output gate decides what part of the cell state goes to h_t = o*tanh(c_t). The gates are "
         "sigmoids between 0 and 1.", 4, 4, "full"),
    Case("lstm-why-short", "a",
         "gates: forget, input, output. forget gate removes info from the cell state, input gate adds new info, "
         "output gate controls what's output", 4, 4, "terse"),
    Case("lstm-why-short", "a",
         "The LSTM keeps a memory cell. Input, forget and output gates (sigmoid, element-wise) decide what to "
         "write, erase and read.", 4, 4, "write/erase/read"),
    Case("lstm-why-short", "a", "An LSTM has a forget gate and an output gate.", 1, 2, "two gates named"),
    Case("lstm-why-short", "a", "It has gates that control the flow of information.", 0, 1, "vague"),
    Case("lstm-why-short", "a", "LSTMs use gates. In addition, they are better at long sequences.", 0, 1,
         "'In addition' is not the additive update"),
    Case("lstm-why-short", "a", "LSTMs have four gates plus a cell state; in addition they use tanh.", 1, 1,
         "cell state only; 'plus' and 'in addition' are ordinary words"),
    Case("lstm-why-short", "a", "It is a vanilla RNN with a bigger hidden state and ReLU activations.", 0, 0,
         "wrong"),
    Case("lstm-why-short", "a", "The forget gate decides what to output and the output gate decides what to forget.",
         0, 1, "roles swapped", limit=CONTEXT),

    # ------------------------------------------------------------------ lstm-why-short (b): 2 marks
    Case("lstm-why-short", "b",
         "Because the cell state is updated additively, the gradient can flow back through it without being "
         "repeatedly multiplied by W_hh, so it doesn't vanish.", 2, 2, "full, 'doesn't vanish'"),
    Case("lstm-why-short", "b", "LSTM avoids the vanishing gradient problem and can remember information for longer.",
         2, 2, "two points"),
    Case("lstm-why-short", "b", "constant error carousel -> gradients don't vanish", 2, 2, "terse"),
    Case("lstm-why-short", "b", "No vanishing gradient since the cell state is an additive path.", 2, 2,
         "'No vanishing'"),
    Case("lstm-why-short", "b", "In an LSTM the gradients don't vanish as quickly.", 1, 1, "one point"),
    Case("lstm-why-short", "b", "Thanks to its gates it can retain information over many time steps.", 1, 1,
         "keeps information, no reason about gradients"),
    Case("lstm-why-short", "b", "Because LSTMs are designed for long-term dependencies.", 0, 0,
         "restates the question"),
    Case("lstm-why-short", "b", "the gradient isn't repeatedly multiplied by W_hh, so it won't vanish", 2, 2,
         "'isn't', 'won't'"),
    Case("lstm-why-short", "b", "it has gates", 0, 0, "too vague"),
    Case("lstm-why-short", "b",
         "The gradient still vanishes in an LSTM; it is better only because it has more parameters.", 0, 0,
         "over-claim", limit=CONTEXT),

    # ------------------------------------------------------------------ ae-bottleneck-short (a): 3 marks
    Case("ae-bottleneck-short", "a",
         "The bottleneck is the middle (code) layer, which has fewer units than the input. It forces the "
         "network to compress the data and keep only the important information, so it can't just learn the "
         "identity; it learns useful features.", 3, 3, "full"),
    Case("ae-bottleneck-short", "a",
         "A layer with dimension v < d. Used for dimensionality reduction and to learn the structure of the data.",
         3, 3, "v < d"),
    Case("ae-bottleneck-short", "a",
         "The narrow layer between encoder and decoder. It makes the AE squeeze the input into a low-dimensional "
         "code, so it can't simply copy the input.", 3, 3, "narrow, squeeze"),
    Case("ae-bottleneck-short", "a", "smallest layer in the middle; forces compression", 2, 2, "terse"),
    Case("ae-bottleneck-short", "a", "It is there so that the network doesn't learn the identity function.", 1, 1,
         "'doesn't learn the identity'"),
    Case("ae-bottleneck-short", "a", "It's the layer where the data is not compressed.", 0, 0, "negated"),
    Case("ae-bottleneck-short", "a",
         "The bottleneck is the widest layer; it lets the AE memorise the training data exactly.", 0, 0,
         "over-claim", limit=CONTEXT + " ('memorise', a phrase for 'prevents memorising')"),

    # ------------------------------------------------------------------ ae-bottleneck-short (b): 1 mark
    Case("ae-bottleneck-short", "b", "The identity function - it would just copy the input to the output.", 1, 1,
         "full"),
    Case("ae-bottleneck-short", "b",
         "it would just memorise the input and pass it through without learning anything useful", 1, 1,
         "memorise"),
    Case("ae-bottleneck-short", "b", "output = input (trivial solution)", 1, 1, "terse"),
    Case("ae-bottleneck-short", "b", "f(x) = x", 1, 1, "formula only"),
    Case("ae-bottleneck-short", "b", "It would learn better features since it has more capacity.", 0, 0, "wrong"),
    Case("ae-bottleneck-short", "b", "It cannot learn the identity.", 0, 0, "negated"),
    Case("ae-bottleneck-short", "b", "It would learn more useful features instead of the identity.", 0, 0,
         "'instead of'"),

    # ------------------------------------------------------------------ ae-limits-short (a): 3 marks
    Case("ae-limits-short", "a",
         "It's not good at generating new data. If you sample a random code and decode it you mostly get "
         "garbage, because the latent space has gaps and the codes don't follow any known distribution, so "
         "there's no prior to sample from.", 3, 3, "full"),
    Case("ae-limits-short", "a", "Generation - latent space is irregular so random points decode to nonsense", 3, 3,
         "terse"),
    Case("ae-limits-short", "a",
         "Interpolating between two inputs - the latent space isn't continuous, so points in between decode to "
         "junk.", 2, 3, "interpolation, 'isn't continuous'"),
    Case("ae-limits-short", "a",
         "It isn't able to generate realistic new images since it's not a probabilistic model.", 2, 3,
         "'isn't able to'"),
    Case("ae-limits-short", "a", "Can't generate new samples.", 1, 1, "name only"),
    Case("ae-limits-short", "a",
         "It is not good at reconstructing the training data because the bottleneck loses information.", 0, 0,
         "wrong"),
    Case("ae-limits-short", "a", "Plain AEs are great at generating new images but bad at compression.", 0, 0,
         "over-claim: the opposite", limit=CONTEXT),

    # ------------------------------------------------------------------ ae-limits-short (b): 2 marks
    Case("ae-limits-short", "b",
         "A VAE: the encoder outputs a mean and variance and a KL term pushes them towards N(0,1), so you can "
         "sample z from N(0,1) and decode.", 2, 2, "full"),
    Case("ae-limits-short", "b", "Variational autoencoder - regularises the latent space to be Gaussian", 2, 2,
         "terse"),
    Case("ae-limits-short", "b", "VAE", 1, 1, "name only"),
    Case("ae-limits-short", "b", "A GAN, which uses a discriminator.", 0, 0, "wrong model"),
    Case("ae-limits-short", "b", "A denoising autoencoder trained on inputs with Gaussian noise added.", 0, 0,
         "over-claim: wrong model, mentions Gaussian"),

    # ------------------------------------------------------------------ vae-loss-terms-short (a): 2 marks
    Case("vae-loss-terms-short", "a",
         "The reconstruction loss makes the output look like the input. The KL term keeps the latent "
         "distribution close to N(0, I), which regularises the latent space.", 2, 2, "full"),
    Case("vae-loss-terms-short", "a", "recon term = how well x is reconstructed; KL = pushes q(z|x) towards the prior",
         2, 2, "terse"),
    Case("vae-loss-terms-short", "a", "KL pushes the encodings towards a standard Gaussian.", 1, 1,
         "KL only, 'standard Gaussian'"),
    Case("vae-loss-terms-short", "a", "The reconstruction term measures how close the output is to the input.", 1, 1,
         "reconstruction only"),
    Case("vae-loss-terms-short", "a", "Both terms measure the accuracy of the classifier.", 0, 0, "wrong"),
    Case("vae-loss-terms-short", "a",
         "The KL term makes the reconstruction accurate and the reconstruction term makes the latent space "
         "continuous.", 0, 0, "roles swapped", limit=CONTEXT),

    # ------------------------------------------------------------------ vae-loss-terms-short (b): 2 marks
    Case("vae-loss-terms-short", "b",
         "Only reconstruction: it becomes a normal autoencoder, the variances go to zero and the latent space "
         "has gaps, so sampling gives garbage. Only KL: every input maps to N(0,I), the code carries no "
         "information about x, so all outputs look the same (a blurry average).", 2, 2, "full"),
    Case("vae-loss-terms-short", "b",
         "Only recon -> basically a plain AE, can't generate. Only KL -> posterior collapse, the output ignores "
         "the input", 2, 2, "terse"),
    Case("vae-loss-terms-short", "b",
         "With only the reconstruction term the VAE would just act like a regular autoencoder and we'd lose the "
         "nice latent space.", 1, 1, "first case only; 'lose' is not 'loses the information'"),
    Case("vae-loss-terms-short", "b", "Only KL: reconstructions are really bad because z doesn't depend on x.", 1, 1,
         "second case only"),
    Case("vae-loss-terms-short", "b", "Only reconstruction: the samples get better. Only KL: it reconstructs perfectly.",
         0, 0, "wrong"),
    Case("vae-loss-terms-short", "b", "Both would still work fine, training is just slower.", 0, 0, "wrong"),
    Case("vae-loss-terms-short", "b",
         "Only reconstruction: the outputs become blurry and identical. Only KL: it becomes a plain autoencoder.",
         0, 0, "cases swapped", limit=CONTEXT),

    # ------------------------------------------------------------------ vae-applications-short (a): 4 marks
    Case("vae-applications-short", "a",
         "Generation: sample z ~ N(0, I) and pass it through the decoder to get a new image. Interpolation: "
         "encode two images, take z = (1-a)z1 + a z2 for a in [0,1] and decode each to morph between them.",
         4, 4, "full"),
    Case("vae-applications-short", "a",
         "1. Generating new faces - sample from the prior and decode\n2. Changing features e.g. adding glasses: "
         "average the codes of faces with glasses, move the code towards that average and decode", 4, 4,
         "generation + attribute"),
    Case("vae-applications-short", "a", "generation, interpolation", 2, 2, "names only"),
    Case("vae-applications-short", "a",
         "Interpolate between two images by encoding both and decoding points on the line between their codes.",
         2, 2, "one application with how"),
    Case("vae-applications-short", "a",
         "Compression - store only the latent code z and use the decoder to reconstruct the image when needed.",
         2, 2, "compression with how"),
    Case("vae-applications-short", "a",
         "Morph one face into another: encode both, linearly combine the codes and decode to generate the "
         "in-between faces.", 2, 2, "interpolation only, says 'generate'",
         limit=CONTEXT + " ('generate' in the interpolation credits the generation point)"),
    Case("vae-applications-short", "a", "Interpolation: encode two faces, linearly combine their codes and decode.",
         2, 2, "interpolation with how"),
    Case("vae-applications-short", "a",
         "Classification of the images: the encoder outputs the class label. Also segmentation.", 0, 0, "wrong"),
    Case("vae-applications-short", "a", "A VAE cannot generate new images, it can only compress them.", 0, 1,
         "denies generation; compression named without how"),

    # ------------------------------------------------------------------ gan-training-short (a): 3 marks
    Case("gan-training-short", "a",
         "Train D and G alternately. D is trained to classify real images as real and generated ones as fake "
         "(maximise log D(x) + log(1 - D(G(z)))). G is trained to fool D, i.e. minimise log(1 - D(G(z))) or in "
         "practice maximise log D(G(z)). z is sampled from N(0, I).", 3, 3, "full"),
    Case("gan-training-short", "a",
         "minimax game between G and D. D learns to tell real from fake; G learns to make fakes that fool D", 3, 3,
         "short"),
    Case("gan-training-short", "a",
         "Alternate: k steps updating D with G frozen, then one step on G using the non-saturating loss; batches "
         "of noise z and real images each time.", 3, 3, "terse"),
    Case("gan-training-short", "a",
         "Optimise D on real vs fake images, then optimise G so D thinks its images are real.", 2, 3,
         "'real vs fake', British spelling"),
    Case("gan-training-short", "a", "The discriminator learns to distinguish real and fake images.", 1, 1, "D only"),
    Case("gan-training-short", "a", "A GAN is a generative adversarial network with a generator and a discriminator.",
         0, 0, "restates the name"),
    Case("gan-training-short", "a",
         "Train it with gradient descent on the MSE between the generated and the real images.", 0, 0, "wrong"),
    Case("gan-training-short", "a",
         "G is trained to distinguish real from fake images, and D generates images from noise.", 0, 0,
         "roles swapped", limit=CONTEXT),

    # ------------------------------------------------------------------ gan-training-short (b): 2 marks
    Case("gan-training-short", "b", "Sample z from N(0, I) and feed it through the generator; G(z) is the new sample.",
         2, 2, "full"),
    Case("gan-training-short", "b",
         "sample a latent vector, the generator outputs the image, D isn't needed any more", 2, 2, "terse"),
    Case("gan-training-short", "b", "Sample z from a Gaussian and pass it through the discriminator.", 1, 1,
         "right sampling, wrong network"),
    Case("gan-training-short", "b", "Put a real training image into the generator to get a new one.", 0, 1,
         "wrong input to G"),
    Case("gan-training-short", "b", "Run a real image through the discriminator and take its output.", 0, 0, "wrong"),
    Case("gan-training-short", "b", "random noise -> G -> image", 2, 2, "arrow notation",
         limit="a single letter ('G') cannot be a phrase without matching every mention of G"),
]


def _id(case: Case) -> str:
    words = "".join(c if c.isalnum() else " " for c in case.answer.lower()).split()
    return f"{case.family}-{case.part}-" + "-".join(words[:7])


def _params(cases):
    return [pytest.param(c, id=_id(c), marks=pytest.mark.xfail(strict=True, reason=c.limit) if c.limit else ())
            for c in cases]


def _mark(case: Case):
    question = BANK.variant(case.family, SEED)
    return question.part(case.part), Marker(question).mark(case.part, case.answer)


def _where(case: Case, result) -> str:
    return (f"{case.family} part {case.part} ({case.note}): {case.answer!r}\n"
            f"  scored {result.score}/{result.max}, a fair marker gives {case.lo}-{case.hi}\n"
            f"  feedback: {result.feedback}")


TEXT_PARTS = sorted((f.id, p.label) for f in BANK.families for p in f.parts if p.type == "text")


def test_every_text_part_has_answers_across_the_range():
    counts = Counter((c.family, c.part) for c in ANSWERS)
    assert sorted(counts) == TEXT_PARTS, "the table and the bank's text parts differ"
    for family, label in TEXT_PARTS:
        cases = [c for c in ANSWERS if (c.family, c.part) == (family, label)]
        marks = BANK.variant(family, SEED).part(label).marks
        assert len(cases) >= 4, f"{family} part {label}: only {len(cases)} answers"
        assert any(c.lo == marks for c in cases), f"{family} part {label}: no full-marks answer"
        assert any(c.hi == 0 for c in cases), f"{family} part {label}: no zero-mark answer"
        assert marks == 1 or any(0 < c.hi and c.lo < marks for c in cases), f"{family} part {label}: no partial answer"


def test_ids_are_unique():
    ids = Counter(_id(c) for c in ANSWERS)
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("case", _params(ANSWERS))
def test_answer_is_marked_like_a_fair_marker(case):
    part, result = _mark(case)
    assert result.max == part.marks
    assert case.lo <= result.score <= case.hi, _where(case, result)


@pytest.mark.parametrize("case", [pytest.param(c, id=_id(c)) for c in ANSWERS])
def test_feedback_lists_the_points_made_and_missed(case):
    part, result = _mark(case)
    rubric = part.spec.rubric
    made = points_made(case.answer, rubric)
    missed = [p for p in rubric if p not in made]
    where = _where(case, result)
    if made:
        assert "Points made: " + "; ".join(p.point for p in made) + "." in result.feedback, where
    else:
        assert "Points made" not in result.feedback, where
    if result.score < part.marks:
        assert "Points you could add: " + "; ".join(p.point for p in missed) + "." in result.feedback, where
        assert result.status == ("partial" if result.score > 0 else "wrong"), where
    else:
        assert "Points you could add" not in result.feedback and result.status == "correct", where
    assert result.feedback.endswith(f"Model answer: {part.model_answer}"), where
