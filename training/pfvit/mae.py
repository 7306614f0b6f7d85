"""Masked Autoencoder (He et al. 2022) used to pre-train the encoder E without emotion labels.

The encoder is our ViT and the decoder parts sit beside it under MAE's own flat names
(`decoder_embed`, `mask_token`, `decoder_pos_embed`, `decoder_blocks.N`, `decoder_norm`,
`decoder_pred`), so `MAE.state_dict()` is an MAE-format checkpoint and vice versa.
"""
import torch
import torch.nn as nn

from .patches import pixels_to_patches
from .pos_embed import sincos_2d
from .presets import ModelConfig
from .vit import Block, ViT, init_weights, layer_norm


class MAE(ViT):
    def __init__(self, cfg: ModelConfig, mask_ratio: float = 0.75, norm_pix_loss: bool = True):
        super().__init__(cfg.img_size, cfg.patch_size, cfg.embed_dim, cfg.depth, cfg.num_heads, cfg.mlp_ratio)
        self.cfg = cfg
        self.mask_ratio = mask_ratio
        self.norm_pix_loss = norm_pix_loss
        d = cfg.decoder_embed_dim
        self.decoder_embed = nn.Linear(cfg.embed_dim, d)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, d))
        self.decoder_pos_embed = nn.Parameter(sincos_2d(d, cfg.grid_size), requires_grad=False)
        self.decoder_blocks = nn.ModuleList(
            [Block(d, cfg.decoder_num_heads, cfg.mlp_ratio) for _ in range(cfg.decoder_depth)])
        self.decoder_norm = layer_norm(d)
        self.decoder_pred = nn.Linear(d, cfg.patch_size ** 2 * 3)
        init_weights(self)

    def random_masking(self, tokens: torch.Tensor):
        """Keep a random (1 - mask_ratio) subset of patch tokens per image.

        Returns the kept tokens, the binary mask (1 = masked) in original patch order, and the
        permutation that restores the original order. Uses the global RNG, whose state is saved in
        training checkpoints so a resumed run draws the same masks."""
        n, length, d = tokens.shape
        keep = int(length * (1 - self.mask_ratio))
        noise = torch.rand(n, length, device=tokens.device)
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :keep]
        kept = torch.gather(tokens, 1, ids_keep.unsqueeze(-1).expand(-1, -1, d))
        mask = torch.ones(n, length, device=tokens.device)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, ids_restore)
        return kept, mask, ids_restore

    def forward_encoder(self, images: torch.Tensor):
        kept, mask, ids_restore = self.random_masking(self.embed(images))
        x = self.with_cls(kept)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x), mask, ids_restore

    def forward_decoder(self, latent: torch.Tensor, ids_restore: torch.Tensor) -> torch.Tensor:
        x = self.decoder_embed(latent)
        n, length = ids_restore.shape
        masked = self.mask_token.expand(n, length + 1 - x.shape[1], -1)
        patches = torch.cat([x[:, 1:], masked], dim=1)  # visible tokens first, then mask tokens
        patches = torch.gather(patches, 1, ids_restore.unsqueeze(-1).expand(-1, -1, x.shape[2]))
        x = torch.cat([x[:, :1], patches], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:]

    def loss(self, images: torch.Tensor, pred: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean squared error on masked patches only; with norm_pix_loss each target patch is
        normalised by its own mean and variance (MAE's better-representation variant)."""
        target = pixels_to_patches(images, self.cfg.patch_size)
        if self.norm_pix_loss:
            mean = target.mean(dim=-1, keepdim=True)
            var = target.var(dim=-1, keepdim=True)
            target = (target - mean) / (var + 1e-6) ** 0.5
        per_patch = ((pred.float() - target) ** 2).mean(dim=-1)
        return (per_patch * mask).sum() / mask.sum()

    def forward(self, images: torch.Tensor):
        latent, mask, ids_restore = self.forward_encoder(images)
        pred = self.forward_decoder(latent, ids_restore)
        return self.loss(images, pred, mask), pred, mask
