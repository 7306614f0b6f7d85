"""Does PF-ViT actually separate? The paper warns that with small encoders the poker face x~ comes
out nearly identical to the input, i.e. the emotion was not moved into V_e. These numbers make that
visible in training logs and in evaluate.py's report instead of hiding it."""


def separation_measure(model):
    """images -> per image: mean |x^ - x| (reconstruction error) and mean |x~ - x^| (how much the
    poker face differs from the reconstruction). For use inside torch.no_grad()."""
    def measure(x):
        x_hat, x_tilde, _ = model.generate(x)
        x_hat, x_tilde = x_hat.float(), x_tilde.float()
        return {'reconstruction_error': (x_hat - x).abs().mean(dim=(1, 2, 3)),
                'poker_face_change': (x_tilde - x_hat).abs().mean(dim=(1, 2, 3))}
    return measure


def summarise(measures: dict, labels, neutral: int) -> dict:
    """Means over neutral and over expressive images. On expressive faces the poker face should
    differ clearly from the reconstruction; on neutral faces it should not."""
    out = {}
    for name, values in measures.items():
        for group, keep in (('neutral', lambda y: y == neutral), ('expressive', lambda y: y != neutral)):
            picked = [v for v, y in zip(values, labels) if keep(y)]
            out[f'{name}_{group}'] = round(sum(picked) / len(picked), 6) if picked else None
    return out
