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
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
    return features
