"""Layer III frame data check: is what follows each header decodable, not just the header?

A layer III frame's side information says where its audio data starts (``main_data_begin``,
a pointer back into the "bit reservoir" of earlier frames) and how many bits each granule
uses (``part2_3_length``). A decoder follows those pointers; when they point before the
stream, into data an earlier frame already used, or past the end of the frame, it cannot
decode the frame (ffmpeg: "invalid new backstep", "overread"). Random or damaged bytes after
a valid header break these rules with near certainty, so walking the reservoir catches
corrupt frames without a full Huffman decoder. The limit, stated honestly: a bit flip inside
the Huffman data itself, with the side information intact, is not caught here (no decoder
can tell without a CRC, which gTTS and LAME do not write).
"""

from __future__ import annotations

from .mp3 import ChannelMode, Frame, Mp3Error, MpegVersion, iter_frames

__all__ = ["check_frame_data"]

_HEADER_LENGTH = 4
_CRC_LENGTH = 2
# A granule holds 576 frequency lines; big_values counts pairs of them.
_MAX_BIG_VALUES = 288


class _Bits:
    """Reads big-endian bit fields from a short byte string."""

    def __init__(self, data: bytes) -> None:
        self._value = int.from_bytes(data, "big")
        self._left = len(data) * 8

    def take(self, count: int) -> int:
        self._left -= count
        return (self._value >> self._left) & ((1 << count) - 1)


def _granule_bits(frame: Frame, side_info: bytes) -> tuple[int, int]:
    """(main_data_begin in bytes, bits of main data the frame's granules use).

    Raises Mp3Error for field values no encoder writes.
    """
    header = frame.header
    mpeg1 = header.version is MpegVersion.MPEG1
    mono = header.channel_mode is ChannelMode.MONO
    channels = 1 if mono else 2
    bits = _Bits(side_info)
    main_data_begin = bits.take(9 if mpeg1 else 8)
    if mpeg1:
        bits.take(5 if mono else 3)  # private bits
        bits.take(4 * channels)  # scale factor selection
    else:
        bits.take(1 if mono else 2)  # private bits
    used = 0
    for granule in range(2 if mpeg1 else 1):
        for channel in range(channels):
            part2_3_length = bits.take(12)
            big_values = bits.take(9)
            bits.take(8)  # global gain
            bits.take(4 if mpeg1 else 9)  # scale factor compression
            if bits.take(1):  # window switching
                block_type = bits.take(2)
                bits.take(1 + 2 * 5 + 3 * 3)  # mixed flag, 2 tables, 3 subblock gains
                if block_type == 0:
                    raise Mp3Error(
                        f"frame at byte {frame.offset}: granule {granule} channel {channel} "
                        "uses window switching with the reserved block type 0"
                    )
            else:
                bits.take(3 * 5 + 4 + 3)  # 3 tables, region0 and region1 counts
            bits.take(3 if mpeg1 else 2)  # preflag (MPEG-1), scale factor scale, count1 table
            if big_values > _MAX_BIG_VALUES:
                raise Mp3Error(
                    f"frame at byte {frame.offset}: big_values {big_values} exceeds "
                    f"{_MAX_BIG_VALUES} (granule {granule}, channel {channel})"
                )
            used += part2_3_length
    return main_data_begin, used


def check_frame_data(data: bytes) -> int:
    """Walk every frame's side information and bit reservoir; return the frame count.

    ``data`` must be bare frames (see ``mp3.strip``). Raises Mp3Error naming the first frame
    whose data a decoder could not follow: a back pointer before the stream or into bits an
    earlier frame used, granules that need more bits than are there, or impossible fields.
    Frames joined from separately encoded clips pass, because each clip's first frame
    starts with an empty reservoir (``main_data_begin`` 0), as null silence frames do.
    """
    reservoir_end = 0  # main-data bytes seen so far, over all frames
    used_until = 0  # bit position just after the last bit an earlier frame used
    count = 0
    for frame in iter_frames(data):
        header = frame.header
        start = frame.offset + _HEADER_LENGTH + (_CRC_LENGTH if header.protected else 0)
        side_length = header.side_info_length
        main_length = header.frame_length - (start - frame.offset) - side_length
        if main_length < 0:
            raise Mp3Error(f"frame at byte {frame.offset} is too short for its side information")
        begin, used_bits = _granule_bits(frame, data[start : start + side_length])
        first_bit = (reservoir_end - begin) * 8
        if reservoir_end - begin < 0:
            raise Mp3Error(
                f"frame {count} at byte {frame.offset}: its audio data would start "
                f"{begin - reservoir_end} bytes before the stream does (main_data_begin {begin})"
            )
        if first_bit < used_until:
            raise Mp3Error(
                f"frame {count} at byte {frame.offset}: its audio data overlaps the previous "
                f"frame's (main_data_begin {begin})"
            )
        reservoir_end += main_length
        if first_bit + used_bits > reservoir_end * 8:
            raise Mp3Error(
                f"frame {count} at byte {frame.offset}: needs {used_bits} bits of audio data, "
                f"only {reservoir_end * 8 - first_bit} are there"
            )
        used_until = first_bit + used_bits
        count += 1
    if count == 0:
        raise Mp3Error("no MPEG audio frames found")
    return count
