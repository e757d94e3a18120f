import io
import zipfile
import zlib

from hypothesis import given
from hypothesis import strategies as st

from studyapp.core.zipwrite import deflate, write_zip


def _read_back(members, pieces):
    buffer = io.BytesIO()
    write_zip(buffer, members, level=1, pieces=pieces)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert archive.testzip() is None  # every member's CRC checks out
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


@given(
    members=st.lists(
        st.tuples(st.from_regex(r"[a-z][a-z0-9.]{0,20}", fullmatch=True), st.binary()),
        min_size=1,
        max_size=4,
        unique_by=lambda member: member[0],
    ),
    pieces=st.integers(1, 5),
)
def test_zipfile_reads_back_what_was_written(members, pieces):
    assert _read_back(members, pieces) == members


def test_pieces_join_into_one_stream_for_a_large_member():
    data = b"".join(f"row {i}: What is the ICD-10-CM code?\n".encode() for i in range(200_000))
    assert _read_back([("collection.anki2", data), ("media", b"{}")], pieces=2) == [
        ("collection.anki2", data),
        ("media", b"{}"),
    ]
    # the joined stream is one valid raw deflate stream, and roughly as small as one piece
    whole = deflate(data, level=1, pieces=1)
    split = deflate(data, level=1, pieces=2)
    assert zlib.decompress(split, -zlib.MAX_WBITS) == data
    assert len(split) < len(whole) * 1.05
