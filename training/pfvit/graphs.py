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


class ClassifyGraph(nn.Module):
    def __init__(self, trained: TrainedModel):
        super().__init__()
        self.kind, self.model, self.grid = trained.kind, trained.model, trained.config.grid_size

    def forward(self, image: torch.Tensor):
        if self.kind == 'pfvit':
            z, attentions = self.model.encoder.tokens(image, return_attention=True)
            mask = self.model.separator(z)
            logits = self.model.classifier(z[:, 0] * mask)  # C on the [CLS] token of V_e
        else:
            z, attentions = self.model.tokens(image, return_attention=True)
            logits = self.model.head(z[:, 0])
            mask = torch.ones_like(z[:, 0])
        return logits, mask, attention_rollout(attentions, self.grid)


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
