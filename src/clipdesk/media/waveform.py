"""The waveform strip's peaks: the loudest sample of each 50 ms of a media file's sound, 0 to 255.

Computed with PyAV from the stored file (on disk or in the bucket), once per file: `actions.ensure_peaks`
stores them on the MediaAsset. An hour of sound is 72,000 small numbers, a few hundred kB of JSON.
"""

import av
import numpy as np

PER_SECOND = 20
RATE = 8000  # samples per second after resampling: enough to find the loud moments, cheap to decode
BUCKET = RATE // PER_SECOND


def compute_peaks(file) -> list[int]:
    """The peaks of `file`, a stored Django File; an empty list for a file without sound."""
    with file.open("rb") as handle, av.open(handle) as container:
        if not container.streams.audio:
            return []
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        chunks = []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return []
    samples = np.abs(np.concatenate(chunks).astype(np.int32))
    buckets = -(-len(samples) // BUCKET)
    padded = np.zeros(buckets * BUCKET, dtype=np.int32)
    padded[: len(samples)] = samples
    peaks = padded.reshape(buckets, BUCKET).max(axis=1)
    return [int(v) for v in np.minimum(peaks * 255 // 32767, 255)]
