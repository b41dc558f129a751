"""Band-pass filter design shared by the noise conditions and the augmentations.

Shared layer: imports no phase module. Two designs of the same 4th-order Butterworth band-pass:
:func:`bandpass_sos` (scipy, cached per edge pair) for fixed edges, and
:func:`butter_bandpass_sos_zi` (the same floating-point steps without scipy's generic layers) for
edges drawn per clip, where scipy's design would cost more than the filtering.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["bandpass_sos", "butter_bandpass_sos_zi"]


@lru_cache(maxsize=64)
def bandpass_sos(low_hz: float, high_hz: float, sample_rate_hz: int) -> np.ndarray:
    """4th-order Butterworth band-pass as second-order sections (cached: design is slow).

    The returned array is shared between callers: read it, never write to it.
    """
    from scipy.signal import butter

    sos = butter(4, [low_hz, high_hz], btype="bandpass", fs=sample_rate_hz, output="sos")
    return sos


@lru_cache(maxsize=16)
def _butter_lowpass_poles(order: int) -> np.ndarray:
    """Analog Butterworth prototype poles, as ``scipy.signal.buttap``."""
    m = np.arange(-order + 1, order, 2, dtype=np.float64)
    return -np.exp(1j * np.pi * m / (2 * order))


def butter_bandpass_sos_zi(
    order: int, low_hz: float, high_hz: float, sample_rate_hz: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``butter(order, [low_hz, high_hz], "bandpass", fs=..., output="sos")`` and its zi.

    The same steps and floating-point operations as scipy 1.17's ``iirfilter`` (pre-warp,
    ``lp2bp_zpk``, ``bilinear_zpk``, ``zpk2sos`` with ``pairing="nearest"``) and
    ``sosfilt_zi``, specialised to a band-pass (all zeros at z = +-1) and written without
    scipy's generic array-API layers, which made the design ~40x slower than the filtering.
    Falls back to scipy for the odd cases this specialisation does not cover.
    """
    from scipy.signal import butter, sosfilt_zi

    fs = 2.0
    wn = np.array([low_hz, high_hz], dtype=np.float64) / (sample_rate_hz / 2)
    warped = 2 * fs * np.tan(np.pi * wn / fs)
    bw = float(warped[1] - warped[0])
    wo = float(np.sqrt(warped[0] * warped[1]))
    p_lp = (_butter_lowpass_poles(order) * bw / 2).astype(np.complex128)
    root = np.sqrt(p_lp**2 - wo**2)
    p_bp = np.concatenate((p_lp + root, p_lp - root))
    z_bp = np.zeros(order, dtype=np.complex128)
    k = bw**order * np.real(np.prod(2.0 * fs - z_bp) / np.prod(2.0 * fs - p_bp))
    p_z = (2.0 * fs + p_bp) / (2.0 * fs - p_bp)
    poles = _conjugate_representatives(p_z)
    if poles is None or not 0 < low_hz < high_hz < sample_rate_hz / 2:
        sos = butter(order, [low_hz, high_hz], btype="bandpass", fs=sample_rate_hz, output="sos")
        return sos, sosfilt_zi(sos)

    # zpk2sos "nearest": the pole closest to the unit circle goes last, with the nearest zeros.
    n_zeros = {-1.0: order, 1.0: order}
    sos = np.zeros((order, 6))
    one = np.ones(1, dtype=np.complex128)
    for si in range(order - 1, -1, -1):
        idx = int(np.argmin(np.abs(1 - np.abs(poles))))
        p1 = poles[idx]
        poles = np.delete(poles, idx)
        if p1.imag == 0:
            real_idx = np.flatnonzero(poles.imag == 0)
            j = real_idx[np.argmin(np.abs(1 - np.abs(poles[real_idx])))]
            p2 = poles[j]
            poles = np.delete(poles, j)
        else:
            p2 = p1.conj()
        zeros = []
        for _ in range(2):
            near = 1.0 if abs(1.0 - p1) < abs(-1.0 - p1) else -1.0
            z = near if n_zeros[near] else -near
            n_zeros[z] -= 1
            zeros.append(z)
        b = np.convolve(np.convolve([1.0], [1.0, -zeros[0]]), [1.0, -zeros[1]])
        a = np.convolve(np.convolve(one, np.stack((one[0], -p1))), np.stack((one[0], -p2)))
        sos[si, :3] = b
        sos[si, 3:] = a.real
    sos[0, :3] *= k

    # sosfilt_zi: each section's steady state for a unit step, scaled by the DC gain so far.
    zi = np.empty((order, 2))
    scale = 1.0
    for si in range(order):
        b, a = sos[si, :3], sos[si, 3:]
        c = -a[1:] / (1.0 * a[0])
        i_minus_a = np.array([[1.0 - c[0], -1.0], [-c[1], 1.0]])
        zi[si] = scale * np.linalg.solve(i_minus_a, b[1:] - a[1:] * b[0])
        scale *= np.sum(b) / np.sum(a)
    return sos, zi


def _conjugate_representatives(p: np.ndarray) -> np.ndarray | None:
    """One pole per conjugate pair then the real poles, as scipy's ``_cplxreal``; None if odd."""
    tol = 100 * np.finfo(np.float64).eps
    p = p[np.lexsort((abs(p.imag), p.real))]
    is_real = abs(p.imag) <= tol * abs(p)
    real = p[is_real].real
    cplx = p[~is_real]
    upper, lower = cplx[cplx.imag > 0], cplx[cplx.imag < 0]
    if len(upper) != len(lower) or len(real) % 2 or len(upper) + len(real) // 2 == 0:
        return None
    if np.any(np.diff(upper.real) <= tol * abs(upper[:-1])) or np.any(
        abs(upper - lower.conj()) > tol * abs(lower)
    ):
        return None  # runs of equal real parts need scipy's extra sorting
    return np.concatenate(((upper + lower.conj()) / 2, real)).astype(np.complex128)
