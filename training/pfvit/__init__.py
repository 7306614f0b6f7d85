"""PF-ViT training toolkit: models (vit, mae, pfvit), data, losses, and the shared training runtime."""
