"""PF-ViT (Li et al.): encoder E, separator S, generator G, discriminator D, classifier C.

    z   = E(x)                      tokens [N, 1+L, D]
    m   = sigmoid(S(z))             channel selection mask [N, D]
    V_e = z * m,  V_p = z * (1 - m) emotional component and residue (identity, pose, light)
    y   = C(V_e[:, 0])              emotion logits from the [CLS] token of V_e
    x^  = G(V_e + V_p) = G(z)       reconstruction;  x~ = G(V_p) poker face;  G(V_e) emotion part
    D(x') -> K emotion logits + 1 real/fake logit

Only E, S and C are needed to classify; G and D exist for training and for the pictures.
"""
import torch
import torch.nn as nn

from .composition import CompositionHead, compose, taken_away
from .patches import patches_to_pixels
from .pos_embed import sincos_2d
from .presets import ModelConfig
from .vit import Block, CrossAttention, Mlp, ViT, init_weights, layer_norm


class Separator(nn.Module):
    """Squeeze-and-excitation over the embedding channels: average the tokens (squeeze), then a
    bottleneck MLP and a sigmoid give one weight per channel, shared by every token."""

    def __init__(self, dim: int, reduction: int = 4):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim // reduction)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(dim // reduction, dim)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.fc2(self.act(self.fc1(z.mean(dim=1))))).to(z.dtype)


def split_components(z: torch.Tensor, mask: torch.Tensor):
    """(V_e, V_p) = (z * m, z * (1 - m)); their sum is z."""
    m = mask.unsqueeze(1)
    return z * m, z * (1 - m)


class CrossFusion(nn.Module):
    """Pre-norm cross-attention block: queries attend over the projected tokens, then an MLP."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm_q = layer_norm(dim)
        self.norm_kv = layer_norm(dim)
        self.attn = CrossAttention(dim, num_heads)
        self.norm2 = layer_norm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, queries: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        x = queries + self.attn(self.norm_q(queries), self.norm_kv(context))
        return x + self.mlp(self.norm2(x))


class Generator(nn.Module):
    """G: MAE's decoder with a cross-fusion block in front.

    Every output position starts as MAE's learned mask token plus its fixed sin-cos position (the
    paper found the mask tokens indispensable for synthesising the poker face); these queries
    gather content from the projected input tokens by cross-attention, then MAE's decoder blocks and
    pixel head paint the patches. Names other than `cross_fusion` match MAE's decoder, so an MAE
    checkpoint initialises G. Output: an image [N, 3, S, S] in the normalised input space.

    With `generator_output='composition'` the pixel head is replaced by a CompositionHead: G then
    returns a keep mask and a coarse colour layer, and the face is the input composed with them
    (`compose_with`), so unchanged regions keep the input's pixels exactly.
    """

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.decoder_embed_dim
        self.patch_size, self.grid_size = cfg.patch_size, cfg.grid_size
        self.decoder_embed = nn.Linear(cfg.embed_dim, d)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, d))
        self.decoder_pos_embed = nn.Parameter(sincos_2d(d, cfg.grid_size), requires_grad=False)
        self.cross_fusion = CrossFusion(d, cfg.decoder_num_heads, cfg.mlp_ratio)
        self.decoder_blocks = nn.ModuleList(
            [Block(d, cfg.decoder_num_heads, cfg.mlp_ratio) for _ in range(cfg.decoder_depth)])
        self.decoder_norm = layer_norm(d)
        self.composing = cfg.generator_output == 'composition'
        if self.composing:
            self.composer = CompositionHead(d, cfg.grid_size, cfg.img_size, grey=cfg.colour_layer == 'grey',
                                            warp_px=cfg.warp_px, paint_region=cfg.paint_region)
        else:
            self.decoder_pred = nn.Linear(d, cfg.patch_size ** 2 * 3)
        init_weights(self)  # Linear and LayerNorm only: the composer's convolutions keep their init

    def features(self, tokens: torch.Tensor) -> torch.Tensor:
        """The decoder's normalised output tokens [N, 1+g*g, d], before any pixel head."""
        context = self.decoder_embed(tokens) + self.decoder_pos_embed
        queries = self.mask_token.expand(tokens.shape[0], self.decoder_pos_embed.shape[1], -1) + self.decoder_pos_embed
        x = self.cross_fusion(queries, context)
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_norm(x)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Painted pixels (pixel head only; a composing G needs the image: `compose_with`)."""
        assert not self.composing, 'a composing generator needs the input image: use compose_with'
        patches = self.decoder_pred(self.features(tokens))[:, 1:]
        return patches_to_pixels(patches, self.patch_size, self.grid_size)

    def compose_with(self, tokens: torch.Tensor, image: torch.Tensor):
        """(face, keep mask, source, displacement) for a composing G; `image` holds the inputs the
        tokens came from (repeated along the batch when tokens stack several components of the same
        faces), `source` is the input as the warp moved it and `displacement` the warp in pixels
        (the input itself and None without a warp)."""
        keep, colour, flow = self.composer(self.features(tokens))
        source = self.composer.moved(image, flow)
        return compose(source, keep, colour.to(image.dtype)), keep, source, flow


def make_discriminator(cfg: ModelConfig) -> ViT:
    """D: a ViT of the decoder's size reading pixels, with K emotion logits + 1 real/fake logit."""
    return ViT(cfg.img_size, cfg.patch_size, cfg.decoder_embed_dim, cfg.decoder_depth,
               cfg.decoder_num_heads, cfg.mlp_ratio, num_outputs=cfg.num_classes + 1)


def make_encoder(cfg: ModelConfig) -> ViT:
    return ViT(cfg.img_size, cfg.patch_size, cfg.embed_dim, cfg.depth, cfg.num_heads, cfg.mlp_ratio,
               face_stem=cfg.face_stem)


class PFViT(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = make_encoder(cfg)
        self.separator = Separator(cfg.embed_dim, cfg.separator_reduction)
        self.classifier = nn.Linear(cfg.embed_dim, cfg.num_classes)
        self.generator = Generator(cfg)
        self.discriminator = make_discriminator(cfg)
        init_weights(self.separator)
        init_weights(self.classifier)

    def separate(self, images: torch.Tensor):
        """z, mask, V_e, V_p for a batch of normalised images."""
        z = self.encoder(images)
        mask = self.separator(z)
        v_e, v_p = split_components(z, mask)
        return z, mask, v_e, v_p

    def classify(self, v_e: torch.Tensor) -> torch.Tensor:
        return self.classifier(v_e[:, 0])

    def generate(self, images: torch.Tensor):
        """(reconstruction, poker face, emotion component) of the model contract's generate graph."""
        z, _, v_e, v_p = self.separate(images)
        g = self.generator
        if not g.composing:
            return g(z), g(v_p), g(v_e)
        # A composing G: both faces in one decoder pass; the emotion component is what the poker
        # face took away from the input (composition.taken_away): G(V_e) alone means nothing here.
        n, s = images.shape[0], self.cfg.img_size
        faces, keep, source, _ = g.compose_with(torch.cat([z, v_p]), torch.cat([images, images]))
        # Reshaped to the fixed size: ONNX shape inference loses it through Resize and the slices,
        # and export_onnx.check_graph holds every output to [N, 3, S, S].
        return tuple(t.reshape(-1, 3, s, s) for t in (faces[:n], faces[n:], taken_away(images, keep[n:], source[n:])))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Emotion logits: only E, S and C run."""
        _, _, v_e, _ = self.separate(images)
        return self.classify(v_e)


class ViTClassifier(ViT):
    """The ViT baseline: encoder + linear head on [CLS]. Keys are the encoder's plus `head.*`."""

    def __init__(self, cfg: ModelConfig):
        super().__init__(cfg.img_size, cfg.patch_size, cfg.embed_dim, cfg.depth, cfg.num_heads,
                         cfg.mlp_ratio, num_outputs=cfg.num_classes, face_stem=cfg.face_stem)
        self.cfg = cfg
