"""The frequency-domain cue of generated images.

A decoder that upsamples with stride-2 transposed convolutions leaves a periodic pattern (the "checkerboard
artifact", Odena et al. 2016) and misses the high frequencies of camera images. Both show in the image's
Fourier spectrum, most clearly when the 2-D spectrum is averaged over rings of equal frequency: one curve per
image, from the lowest frequency (the centre, after fftshift) to the highest (the corners). Durall et al.
(CVPR 2020) and Frank et al. (ICML 2020) detect generated images from that curve alone.
"""
import numpy as np


def azimuthal_average(spectrum):
    """
    The mean of a centred 2-D spectrum over rings of equal integer radius.

    Inputs:
    - spectrum: float array (..., H, W) whose zero frequency is at (H // 2, W // 2) (as after np.fft.fftshift)

    Returns:
    - profile: float64 array (..., R): profile[..., r] is the mean of the values whose distance to the centre,
      sqrt((y - H // 2)^2 + (x - W // 2)^2), truncated to an integer, is r; R is the largest such r plus one
      (46 for 64 x 64)
    """
    profile = None
    ### BEGIN SOLUTION
    spectrum = np.asarray(spectrum, dtype=np.float64)
    H, W = spectrum.shape[-2:]
    yy, xx = np.indices((H, W))
    radius = np.hypot(yy - H // 2, xx - W // 2).astype(int).ravel()
    counts = np.bincount(radius)
    flat = spectrum.reshape(-1, H * W)
    profile = np.stack([np.bincount(radius, weights=row) / counts for row in flat])
    profile = profile.reshape(spectrum.shape[:-2] + (len(counts),))
    ### END SOLUTION
    return profile


def spectral_features(images):
    """
    One spectral profile per image.

    Inputs:
    - images: uint8 array (N, H, W, 3)

    Returns:
    - features: float64 array (N, R): the grey image (the mean of the three channels, in 0..255), its 2-D FFT
      (np.fft.fft2 over the last two axes) centred by np.fft.fftshift over those axes, the log-magnitude
      np.log(np.abs(F) + 1e-8), and azimuthal_average of that
    """
    features = None
    ### BEGIN SOLUTION
    grey = np.asarray(images, dtype=np.float64).mean(axis=-1)
    spectrum = np.fft.fftshift(np.fft.fft2(grey), axes=(-2, -1))
    features = azimuthal_average(np.log(np.abs(spectrum) + 1e-8))
    ### END SOLUTION
    return features
