"""Vision Transformer built from small named parts (timm's layout and parameter names).

Names such as `patch_embed.proj.weight`, `blocks.3.attn.qkv.weight` and `norm.bias` are kept on
purpose: they are what lets MAE/timm checkpoints load into our encoder, generator and discriminator.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .face_stem import STEM_STRIDE, make_stem
from .patches import patches_for_embedding
from .pos_embed import sincos_2d

# PyTorch 2.x has a fused attention kernel; 1.13 does not. Both paths compute the same thing.
_FUSED_ATTENTION = hasattr(F, 'scaled_dot_product_attention')


def _use_fused(return_attention: bool) -> bool:
    # The ONNX graphs need the explicit softmax (and classify.onnx its weights for the rollout),
    # so export always takes the explicit path.
    return _FUSED_ATTENTION and not return_attention and not torch.onnx.is_in_onnx_export()


def layer_norm(dim: int) -> nn.LayerNorm:
    return nn.LayerNorm(dim, eps=1e-6)  # MAE's epsilon; checkpoints were trained with it


class PatchEmbed(nn.Module):
    """Patchify + Linear (see patches.py for why not Conv2d). Keeps timm's name `proj`."""

    def __init__(self, img_size: int, patch_size: int, in_chans: int, embed_dim: int):
        super().__init__()
        assert img_size % patch_size == 0, 'input size must be a multiple of the patch size'
        self.patch_size = patch_size
        self.grid_size = img_size // patch_size
        self.num_patches = self.grid_size ** 2
        self.proj = nn.Linear(in_chans * patch_size * patch_size, embed_dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.proj(patches_for_embedding(images, self.patch_size))


class Attention(nn.Module):
    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True):
        super().__init__()
        assert dim % num_heads == 0, 'dim must be divisible by num_heads'
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        b, t, c = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        out, attn = attend(q, k, v, self.scale, return_attention)
        out = self.proj(out.transpose(1, 2).reshape(b, t, c))
        return (out, attn) if return_attention else out


class CrossAttention(nn.Module):
    """Queries from one sequence, keys and values from another (G's "cross fusion")."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.kv = nn.Linear(dim, dim * 2, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, queries: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, tq, c = queries.shape
        tk = context.shape[1]
        h = self.num_heads
        q = self.q(queries).reshape(b, tq, h, c // h).transpose(1, 2)
        kv = self.kv(context).reshape(b, tk, 2, h, c // h).permute(2, 0, 3, 1, 4)
        out, _ = attend(q, kv[0], kv[1], self.scale, False)
        return self.proj(out.transpose(1, 2).reshape(b, tq, c))


def attend(q, k, v, scale: float, return_attention: bool):
    """softmax(q k^T * scale) v over [B, heads, T, d] tensors; also returns the weights if asked."""
    if _use_fused(return_attention):
        return F.scaled_dot_product_attention(q, k, v), None
    attn = ((q * scale) @ k.transpose(-2, -1)).softmax(dim=-1)
    return attn @ v, attn


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x))."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1 = layer_norm(dim)
        self.attn = Attention(dim, num_heads)
        self.norm2 = layer_norm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        if return_attention:
            out, attn = self.attn(self.norm1(x), return_attention=True)
            x = x + out
            return x + self.mlp(self.norm2(x)), attn
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    """Plain ViT: patch embedding, [CLS], fixed sin-cos positions, blocks, final norm.

    With num_outputs=0 it is the encoder E and returns all tokens z = E(x) [N, 1+L, D].
    With num_outputs>0 a linear `head` reads the [CLS] token: the ViT baseline (K outputs) or the
    discriminator D (K+1 outputs).
    With face_stem set, a convolutional branch (face_stem.py) adds its projected map to the patch tokens.
    """

    def __init__(self, img_size: int, patch_size: int, embed_dim: int, depth: int, num_heads: int,
                 mlp_ratio: float = 4.0, num_outputs: int = 0, in_chans: int = 3, face_stem: str = ''):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        self.face_stem = self.face_stem_proj = None
        self.face_stem_kind = face_stem
        if face_stem:
            if patch_size != STEM_STRIDE or in_chans != 3:
                raise SystemExit(f'face stem {face_stem!r} needs patch size {STEM_STRIDE} and colour input')
            self.face_stem, channels = make_stem(face_stem)
            self.face_stem_proj = nn.Linear(channels, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        # A Parameter (not a buffer) so the key `pos_embed` exists as in MAE checkpoints; never trained.
        self.pos_embed = nn.Parameter(sincos_2d(embed_dim, self.patch_embed.grid_size), requires_grad=False)
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, mlp_ratio) for _ in range(depth)])
        self.norm = layer_norm(embed_dim)
        self.head = nn.Linear(embed_dim, num_outputs) if num_outputs else None
        init_weights(self)
        if self.face_stem_proj is not None:  # zero: adding the branch changes nothing until it trains
            nn.init.zeros_(self.face_stem_proj.weight)
            nn.init.zeros_(self.face_stem_proj.bias)

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """Patch tokens with positions added, without [CLS]: [N, L, D]."""
        tokens = self.patch_embed(images)
        if self.face_stem is not None:
            cells = self.face_stem(images).flatten(2).transpose(1, 2)  # [N, L, C], row-major like the patches
            tokens = tokens + self.face_stem_proj(cells).to(tokens.dtype)
        return tokens + self.pos_embed[:, 1:, :]

    def with_cls(self, tokens: torch.Tensor) -> torch.Tensor:
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(tokens.shape[0], -1, -1)
        return torch.cat([cls, tokens], dim=1)

    def tokens(self, images: torch.Tensor, return_attention: bool = False):
        """z = E(x): normalised tokens [N, 1+L, D]; with return_attention also each block's weights."""
        x = self.with_cls(self.embed(images))
        attentions = []
        for blk in self.blocks:
            if return_attention:
                x, attn = blk(x, return_attention=True)
                attentions.append(attn)
            else:
                x = blk(x)
        x = self.norm(x)
        return (x, attentions) if return_attention else x

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        z = self.tokens(images)
        return self.head(z[:, 0]) if self.head is not None else z


def init_weights(module: nn.Module) -> None:
    """MAE's initialisation: xavier-uniform Linear, unit LayerNorm, N(0, 0.02) tokens."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    for name, p in module.named_parameters(recurse=False):
        if name in ('cls_token', 'mask_token'):
            nn.init.normal_(p, std=0.02)
