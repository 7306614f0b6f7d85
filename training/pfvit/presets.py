"""Model sizes. A ModelConfig is stored inside every checkpoint, so evaluation and export rebuild
exactly the model that was trained without repeating flags."""
from dataclasses import asdict, dataclass, replace

from .data import FERPLUS_CLASSES


@dataclass(frozen=True)
class ModelConfig:
    embed_dim: int
    depth: int
    num_heads: int
    decoder_embed_dim: int
    decoder_depth: int
    decoder_num_heads: int
    # 112 rather than the paper's 224: FERPlus faces are 48 px, and 49 tokens train 3-10x faster
    # on CPU than 196. Pass --input-size 224 to match the paper.
    img_size: int = 112
    patch_size: int = 16
    mlp_ratio: float = 4.0
    num_classes: int = len(FERPLUS_CLASSES)
    separator_reduction: int = 4  # squeeze-excitation bottleneck D -> D/r -> D
    # G's output: 'pixels' (the paper's per-patch pixel head, which regenerates the whole face) or
    # 'composition' (a keep mask and a coarse colour layer composed with the input; composition.py).
    generator_output: str = 'pixels'
    # A composing G's colour layer: 'rgb', or 'grey' (one luminance, the same in every channel) for
    # models taught on grey faces such as FER2013's, whose poker faces must not gain a tint.
    colour_layer: str = 'rgb'
    # A convolutional branch from a face-recognition network added to E's patch tokens (face_stem.py):
    # '' none, or one of face_stem.FACE_STEMS. It needs patch size 16 (the branch's stride).
    face_stem: str = ''
    # A composing G that may also move the input's pixels (composition.py): the largest displacement,
    # in pixels at img_size; 0 paints only.
    warp_px: float = 0.0
    # Where a composing G's colour layer may replace the input: '' anywhere, 'mouth' only around the
    # mouth (composition.mouth_region).
    paint_region: str = ''

    @property
    def grid_size(self) -> int:
        return self.img_size // self.patch_size

    @property
    def num_patches(self) -> int:
        return self.grid_size ** 2

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> 'ModelConfig':
        return ModelConfig(**d)

    def same_as(self, d: dict) -> bool:
        """Whether a checkpoint's stored config is this one (fields it predates take their defaults)."""
        return ModelConfig.from_dict(d) == self


PRESETS = {
    # The paper's encoders (dim/depth/heads) and decoders (G and D).
    'vit_tiny': ModelConfig(192, 12, 3, 128, 8, 4),
    'vit_small': ModelConfig(384, 12, 6, 256, 8, 8),
    'vit_base': ModelConfig(768, 12, 12, 512, 8, 16),
    # Fits a 2-core CPU: ~80 img/s PF-ViT steps at 112 px (see training/README.md).
    'cpu_small': ModelConfig(192, 6, 3, 128, 4, 4),
    # For tests only: seconds, not minutes.
    'micro': ModelConfig(32, 2, 2, 32, 1, 2, img_size=32, patch_size=8),
}


def model_config(preset: str, input_size: int = None, patch_size: int = None,
                 num_classes: int = None) -> ModelConfig:
    """The preset with optional overrides of input size, patch size and class count."""
    if preset not in PRESETS:
        raise SystemExit(f'unknown preset {preset!r}; choose one of {", ".join(PRESETS)}')
    overrides = {k: v for k, v in (('img_size', input_size), ('patch_size', patch_size),
                                   ('num_classes', num_classes)) if v is not None}
    return replace(PRESETS[preset], **overrides)
