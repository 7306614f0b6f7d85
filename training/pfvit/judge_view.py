"""A random, differentiable view of a face for the judge a generator trains against.

A generator pushed towards "neutral" by a frozen classifier learns the classifier's blind spots:
marks at fixed places that flip its decision without changing the face (issue 14's probes found
bright dots in the pupils). Showing the judge each poker face shifted, rescaled, blurred and with
noise makes such marks useless, because they no longer land where the judge reacts to them; what
survives every view is a change a person would also see.
"""
import torch
import torch.nn.functional as F


def _gaussian_kernel(sigma: float, device, dtype) -> torch.Tensor:
    radius = max(1, int(round(2.5 * sigma)))
    x = torch.arange(-radius, radius + 1, device=device, dtype=dtype)
    k = torch.exp(-(x / sigma) ** 2 / 2)
    return k / k.sum()


def blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of each channel (reflect padding); sigma <= 0.3 returns the input."""
    if sigma <= 0.3:
        return images
    c = images.shape[1]
    k = _gaussian_kernel(sigma, images.device, images.dtype)
    r = k.numel() // 2
    x = F.pad(images, (r, r, r, r), mode='reflect')
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def random_view(images: torch.Tensor, generator: torch.Generator, max_shift: float = 0.06,
                scale=(0.92, 1.08), max_sigma: float = 1.2, noise: float = 0.05) -> torch.Tensor:
    """Each face moved by up to `max_shift` of its side, scaled within `scale` (one affine warp,
    bilinear, border padding), then the batch blurred with a random sigma in [0, max_sigma] px and
    Gaussian noise of `noise` (in the normalised space) added. Gradients flow to `images`."""
    n, device = images.shape[0], images.device
    draw = lambda *shape: torch.rand(*shape, generator=generator).to(device)  # noqa: E731
    s = scale[0] + (scale[1] - scale[0]) * draw(n)
    shift = (draw(n, 2) * 2 - 1) * max_shift * 2  # affine_grid's coordinates span 2 per side
    theta = torch.zeros(n, 2, 3, device=device)
    theta[:, 0, 0], theta[:, 1, 1] = 1 / s, 1 / s
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    x = F.grid_sample(images.float(), grid, mode='bilinear', padding_mode='border', align_corners=False)
    x = blur(x, float(draw(1)) * max_sigma)
    return x + noise * torch.randn(x.shape, generator=generator).to(device)
