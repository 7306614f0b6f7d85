"""The two inference graphs of the app's model contract (ARCHITECTURE.md, "Model contract").

classify:  image [N,3,S,S] -> logits [N,K], emotion_mask [N,D], attention [N,g,g], embedding [N,D]
generate:  image [N,3,S,S] -> reconstruction, poker_face, emotion_component, each [N,3,S,S]

`emotion_mask` is the separator's sigmoid selection over the D embedding channels (the paper's
sigma(S(z)) in [0,1]^{1xL}). The ViT baseline has no separator: its mask is all ones (V_e = z), and
it has no generate graph.

`embedding` is the vector the classifier head reads: the [CLS] token after the encoder's final norm,
times the separator's mask for PF-ViT ([CLS] of V_e). With flip averaging it is the mean over the face
and its mirror, which is exactly what gives the averaged logits (the head is linear). The app uses it
for nearest neighbours and the embedding map; it is optional in the contract, so older graphs without
it still run.
"""
import torch
import torch.nn as nn

from .rollout import attention_rollout
from .trained import TrainedModel


def flip_average(trained: TrainedModel) -> bool:
    """Whether this model's classifier averages its logits over the face and its mirror image
    (calibrate.py --flip-average records it; faces are left-right symmetric enough that the two
    views disagree mostly where the model is unsure)."""
    return bool(trained.checkpoint.get('test_time', {}).get('flip_average'))


class ClassifyGraph(nn.Module):
    def __init__(self, trained: TrainedModel):
        super().__init__()
        self.kind, self.model, self.grid = trained.kind, trained.model, trained.config.grid_size
        self.flip_average = flip_average(trained)
        self.dim = trained.config.embed_dim

    def head_input(self, z: torch.Tensor):
        """What the classifier head reads — [CLS] of V_e (PF-ViT) or of z (baseline) — and the mask."""
        if self.kind == 'pfvit':
            mask = self.model.separator(z)
            return z[:, 0] * mask, mask
        # Reshaped to the fixed width: through the flip-averaged graph's slices the exporter would
        # leave the mask's width symbolic, which the model contract refuses.
        return z[:, 0], torch.ones_like(z[:, 0]).reshape(-1, self.dim)

    def head(self, embedding: torch.Tensor) -> torch.Tensor:
        return self.model.classifier(embedding) if self.kind == 'pfvit' else self.model.head(embedding)

    def forward(self, image: torch.Tensor):
        encoder = self.model.encoder if self.kind == 'pfvit' else self.model
        if not self.flip_average:
            z, attentions = encoder.tokens(image, return_attention=True)
            embedding, mask = self.head_input(z)
            return self.head(embedding), mask, attention_rollout(attentions, self.grid), embedding
        # One encoder pass over the faces and their mirrors stacked: one set of weight MatMuls in the
        # graph (so quantize_onnx.py rewrites them all) and one larger batch instead of two.
        n = image.shape[0]
        z, attentions = encoder.tokens(torch.cat([image, torch.flip(image, dims=[3])]), return_attention=True)
        embedding, mask = self.head_input(z[:n])  # the mask and attention stay those of the face as given
        mirrored, _ = self.head_input(z[n:])
        # The head on each view, averaged, as the shipped graphs always computed the logits (so a
        # re-export keeps them to the last bit); the embedding is the mean of the two head inputs.
        logits = (self.head(embedding) + self.head(mirrored)) / 2
        # Reshape to the fixed width: the exporter's shape inference loses it through the slices.
        embedding = ((embedding + mirrored) / 2).reshape(-1, self.dim)
        return logits, mask, attention_rollout([a[:n] for a in attentions], self.grid), embedding


class GenerateGraph(nn.Module):
    def __init__(self, trained: TrainedModel):
        super().__init__()
        assert trained.kind == 'pfvit', 'only PF-ViT has a generator'
        self.model = trained.model

    def forward(self, image: torch.Tensor):
        return self.model.generate(image)


CLASSIFY_OUTPUTS = ('logits', 'emotion_mask', 'attention', 'embedding')
GENERATE_OUTPUTS = ('reconstruction', 'poker_face', 'emotion_component')


def expected_shapes(trained: TrainedModel) -> dict:
    """Per graph, output name -> shape with 'N' for the dynamic batch."""
    cfg = trained.config
    s, g = cfg.img_size, cfg.grid_size
    return {
        'classify': {'logits': ['N', cfg.num_classes], 'emotion_mask': ['N', cfg.embed_dim],
                     'attention': ['N', g, g], 'embedding': ['N', cfg.embed_dim]},
        'generate': {name: ['N', 3, s, s] for name in GENERATE_OUTPUTS},
    }
