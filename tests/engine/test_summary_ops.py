"""Summary ops in the graph: TF1's op types, names, attrs, collections, and what running them returns."""

import io
import wave
import zlib

import numpy as np
import pytest

from engine import summary
from engine.framework import errors, ops, registry
from engine.ops import constant_op
from engine.proto import summary_pb2
from engine.session import Session

SUMMARY_OP_TYPES = ["ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2", "TensorSummaryV2",
                    "MergeSummary"]


@pytest.fixture
def graph():
    g = ops.Graph()
    with g.as_default():
        yield g


def run(fetch) -> summary_pb2.Summary:
    with Session(graph=fetch.graph) as sess:
        out = sess.run(fetch)
    assert type(out) is bytes
    return summary_pb2.Summary.FromString(out)


def node(graph, name):
    return graph.as_graph_def().node[[n.name for n in graph.as_graph_def().node].index(name)]


def test_scalar_is_a_scalar_summary_op_named_after_its_scope_with_a_tags_const(graph):
    loss = constant_op.constant(0.5, name="loss_value")
    s = summary.scalar("loss", loss)
    assert s.name == "loss:0" and s.op.type == "ScalarSummary"
    assert [t.name for t in s.op.inputs] == ["loss/tags:0", "loss_value:0"]
    assert sorted(node(graph, "loss").attr) == ["T"]
    assert graph.get_collection(ops.GraphKeys.SUMMARIES) == [s]
    assert str(s.dtype) == "<dtype: 'string'>" and s.shape.ndims == 0
    value = run(s).value[0]
    assert (value.tag, value.simple_value) == ("loss", 0.5)


def test_second_summary_of_a_name_gets_a_unique_scope_and_tag(graph):
    c = constant_op.constant(1.0)
    summary.scalar("loss", c)
    second = summary.scalar("loss", c)
    assert second.op.name == "loss_1"
    assert run(second).value[0].tag == "loss_1"


def test_family_prefixes_the_scope_and_the_tag_like_tf(graph):
    s = summary.scalar("x", constant_op.constant(2.0), family="train")
    assert s.op.name == "train/x"
    assert run(s).value[0].tag == "train/train/x"


def test_illegal_characters_in_names_become_underscores(graph):
    s = summary.scalar("/loss (total)", constant_op.constant(2.0))
    assert s.op.name == "loss__total_"


def test_collections_argument_replaces_the_summaries_collection(graph):
    s = summary.scalar("a", constant_op.constant(1.0), collections=["mine"])
    assert graph.get_collection(ops.GraphKeys.SUMMARIES) == []
    assert graph.get_collection("mine") == [s]
    assert summary.merge_all() is None
    assert summary.merge_all(key="mine") is not None


def test_merge_all_is_a_merge_summary_op_named_merge_merge_summary(graph):
    summary.scalar("a", constant_op.constant(1.0))
    summary.histogram("h", constant_op.constant([1.0, 2.0, 2.5]))
    merged = summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary" and merged.op.type == "MergeSummary"
    assert [t.name for t in merged.op.inputs] == ["a:0", "h:0"]
    assert node(graph, "Merge/MergeSummary").attr["N"].i == 2
    assert [v.tag for v in run(merged).value] == ["a", "h"]


def test_merge_with_a_name_nests_it_as_tf_does(graph):
    a = summary.scalar("a", constant_op.constant(1.0))
    assert summary.merge([a], name="all").op.name == "all/all"


def test_merge_refuses_duplicate_tags(graph):
    c = constant_op.constant(1.0)
    a = summary.scalar("a", c)
    merged = summary.merge([a, a])
    with pytest.raises(errors.InvalidArgumentError, match="Duplicate tag a found in summary inputs"):
        run(merged)


def test_histogram_op_writes_tf_buckets(graph):
    h = summary.histogram("weights", constant_op.constant([[1.0, -1.0], [0.0, 3.0]]))
    assert [t.name for t in h.op.inputs][0] == "weights/tag:0"
    histo = run(h).value[0].histo
    assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == (-1.0, 3.0, 4.0, 3.0, 11.0)
    assert sum(histo.bucket) == 4.0


def test_histogram_of_nan_fails_naming_the_op(graph):
    h = summary.histogram("w", constant_op.constant([1.0, np.nan]))
    with pytest.raises(errors.InvalidArgumentError, match="Nan in summary histogram for: w"):
        run(h)


def test_scalar_of_a_vector_fails_with_tf_shape_message(graph):
    s = summary.scalar("v", constant_op.constant([1.0, 2.0]))
    expected = r"tags and values not the same shape: \[\] != \[2\]"
    with pytest.raises(errors.InvalidArgumentError, match=expected):
        run(s)


def _png_pixels(png: bytes, height: int, width: int, channels: int) -> np.ndarray:
    """Pixels of our own (unfiltered, one IDAT) PNGs."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    idat_at = png.index(b"IDAT")
    length = int.from_bytes(png[idat_at - 4 : idat_at], "big")
    raw = np.frombuffer(zlib.decompress(png[idat_at + 4 : idat_at + 4 + length]), dtype=np.uint8)
    rows = raw.reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, channels)


def test_image_op_scales_float_pixels_per_image_and_names_tags_by_index(graph):
    images = np.zeros((4, 2, 3, 3), dtype=np.float32)
    images[0, 0, 0] = [0.5, 1.0, 0.0]  # all >= 0: the largest becomes 255
    images[1, 0, 0] = [-1.0, 0.0, 0.5]  # negatives: 0 -> 128, largest magnitude -> edge
    images[2, 0, 0] = [np.nan, 0.0, 1.0]  # non-finite pixel -> bad color (red)
    img = summary.image("pics", constant_op.constant(images), max_outputs=3)
    assert node(graph, "pics").attr["max_images"].i == 3
    assert sorted(node(graph, "pics").attr) == ["T", "bad_color", "max_images"]
    values = run(img).value
    assert [v.tag for v in values] == ["pics/image/0", "pics/image/1", "pics/image/2"]
    assert [(v.image.height, v.image.width, v.image.colorspace) for v in values] == [(2, 3, 3)] * 3
    pixels = [_png_pixels(v.image.encoded_image_string, 2, 3, 3) for v in values]
    assert pixels[0][0, 0].tolist() == [127, 255, 0]
    assert pixels[1][0, 0].tolist() == [1, 128, 191]
    assert pixels[2][0, 0].tolist() == [255, 0, 0]


def test_image_op_keeps_uint8_pixels(graph):
    image = np.arange(2 * 2 * 4, dtype=np.uint8).reshape(1, 2, 2, 4)
    (value,) = run(summary.image("one", constant_op.constant(image))).value
    assert (_png_pixels(value.image.encoded_image_string, 2, 2, 4) == image[0]).all()


def test_image_tags_depend_on_max_outputs_not_on_the_batch_size(graph):
    image = constant_op.constant(np.zeros((1, 2, 2, 1), dtype=np.uint8))
    assert [v.tag for v in run(summary.image("three", image)).value] == ["three/image/0"]
    assert [v.tag for v in run(summary.image("single", image, max_outputs=1)).value] == ["single/image"]


def test_image_png_opens_in_a_real_decoder(graph):
    pil = pytest.importorskip("PIL.Image")
    image = np.random.default_rng(1).integers(0, 256, size=(1, 5, 7, 3), dtype=np.uint8)
    (value,) = run(summary.image("img", constant_op.constant(image))).value
    decoded = np.asarray(pil.open(io.BytesIO(value.image.encoded_image_string)))
    assert (decoded == image[0]).all()


def test_audio_op_writes_16_bit_wav_clips(graph):
    clips = np.stack([np.sin(np.linspace(0, 20, 800)), np.linspace(-1, 1, 800)]).astype(np.float32)
    a = summary.audio("sound", constant_op.constant(clips), 8000)
    assert a.op.type == "AudioSummaryV2"
    assert [t.name for t in a.op.inputs] == ["sound/tag:0", "Const:0", "sound/sample_rate:0"]
    values = run(a).value
    assert [v.tag for v in values] == ["sound/audio/0", "sound/audio/1"]
    audio = values[1].audio
    assert (audio.sample_rate, audio.num_channels, audio.length_frames, audio.content_type) == (
        8000.0, 1, 800, "audio/wav")
    with wave.open(io.BytesIO(audio.encoded_audio_string)) as wav:
        layout = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), wav.getnframes())
        assert layout == (8000, 1, 2, 800)
        samples = np.frombuffer(wav.readframes(800), dtype="<i2")
    assert samples[0] == -32768 and samples[-1] == 32767


def test_text_is_a_tensor_summary_with_the_text_plugin(graph):
    t = summary.text("notes", constant_op.constant("*hello*"))
    assert t.op.type == "TensorSummaryV2"
    assert [x.name for x in t.op.inputs] == ["notes/tag:0", "Const:0", "notes/serialized_summary_metadata:0"]
    (value,) = run(t).value
    assert value.tag == "notes"
    assert value.metadata.plugin_data.plugin_name == "text"
    assert list(value.tensor.string_val) == [b"*hello*"]


def test_text_refuses_non_string_tensors(graph):
    with pytest.raises(ValueError, match="to have dtype string"):
        summary.text("n", constant_op.constant(1.0))


def test_tensor_summary_keeps_the_tensor_and_description(graph):
    t = summary.tensor_summary("t", constant_op.constant([[1, 2], [3, 4]]), summary_description="desc",
                               display_name="shown")
    (value,) = run(t).value
    assert value.metadata.summary_description == "desc" and value.metadata.display_name == "shown"
    assert [d.size for d in value.tensor.tensor_shape.dim] == [2, 2]


@pytest.mark.parametrize("op_type", SUMMARY_OP_TYPES)
def test_summary_ops_are_registered_as_not_differentiable(op_type):
    assert op_type in registry.registered_ops()
    assert registry.get_gradient_function(op_type) is None


def test_loss_summary_nodes_equal_those_real_tf_wrote_for_the_mlp(real_fixtures):
    """tf1_mlp's graph: tf.summary.scalar('loss', loss) then merge_all(), compared NodeDef for NodeDef."""
    from google.protobuf import text_format

    from engine.proto import graph_pb2

    text = (real_fixtures / "tf1_mlp" / "graph_def.pbtxt").read_text()
    real = text_format.Parse(text, graph_pb2.GraphDef())
    real_nodes = {n.name: n for n in real.node}
    graph = ops.Graph()
    with graph.as_default():
        import engine as tf

        with tf.name_scope("softmax_cross_entropy_loss"):
            loss = tf.placeholder(tf.float32, [], name="value")
        summary.scalar("loss", loss)
        summary.merge_all()
    ours = {n.name: n for n in graph.as_graph_def().node}
    for name in ("loss/tags", "loss", "Merge/MergeSummary"):
        assert ours[name] == real_nodes[name], name
