"""The two inference graphs of the app's model contract (ARCHITECTURE.md, "Model contract").

classify:  image [N,3,S,S] -> logits [N,K], emotion_mask [N,D], attention [N,g,g]
generate:  image [N,3,S,S] -> reconstruction, poker_face, emotion_component, each [N,3,S,S]

`emotion_mask` is the separator's sigmoid selection over the D embedding channels (the paper's
sigma(S(z)) in [0,1]^{1xL}). The ViT baseline has no separator: its mask is all ones (V_e = z), and
it has no generate graph.
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

    def logits(self, z: torch.Tensor):
        """C on the [CLS] token of V_e (PF-ViT), or the baseline's head on [CLS] of z; and the mask."""
        if self.kind == 'pfvit':
            mask = self.model.separator(z)
            return self.model.classifier(z[:, 0] * mask), mask
        return self.model.head(z[:, 0]), torch.ones_like(z[:, 0])

    def forward(self, image: torch.Tensor):
        encoder = self.model.encoder if self.kind == 'pfvit' else self.model
        if not self.flip_average:
            z, attentions = encoder.tokens(image, return_attention=True)
            logits, mask = self.logits(z)
            return logits, mask, attention_rollout(attentions, self.grid)
        # One encoder pass over the faces and their mirrors stacked: one set of weight MatMuls in the
        # graph (so quantize_onnx.py rewrites them all) and one larger batch instead of two.
        n = image.shape[0]
        z, attentions = encoder.tokens(torch.cat([image, torch.flip(image, dims=[3])]), return_attention=True)
        logits, mask = self.logits(z[:n])  # the mask and attention stay those of the face as given
        logits = (logits + self.logits(z[n:])[0]) / 2
        return logits, mask, attention_rollout([a[:n] for a in attentions], self.grid)


class GenerateGraph(nn.Module):
    def __init__(self, trained: TrainedModel):
        super().__init__()
        assert trained.kind == 'pfvit', 'only PF-ViT has a generator'
        self.model = trained.model

    def forward(self, image: torch.Tensor):
        z, _, v_e, v_p = self.model.separate(image)
        g = self.model.generator
        return g(z), g(v_p), g(v_e)


CLASSIFY_OUTPUTS = ('logits', 'emotion_mask', 'attention')
GENERATE_OUTPUTS = ('reconstruction', 'poker_face', 'emotion_component')


def expected_shapes(trained: TrainedModel) -> dict:
    """Per graph, output name -> shape with 'N' for the dynamic batch."""
    cfg = trained.config
    s, g = cfg.img_size, cfg.grid_size
    return {
        'classify': {'logits': ['N', cfg.num_classes], 'emotion_mask': ['N', cfg.embed_dim],
                     'attention': ['N', g, g]},
        'generate': {name: ['N', 3, s, s] for name in GENERATE_OUTPUTS},
    }
