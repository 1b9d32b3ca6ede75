"""Predict with a trained model without the code that built it: import_meta_graph + restore.

    python examples/restore_and_predict.py [--checkpoint-dir tmp/logs/lr_0.01]

`examples/train_mlp.py` saved the graph (`model.ckpt-N.meta`) beside the variables. This script
rebuilds that graph from the .meta file, restores the variables, looks the input and output tensors
up by name (`x:0`, `predictions:0`, `probabilities:0`) and classifies the held-out digits.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine as tf


def held_out_digits(seed=0):
    """The same 20% test split train_mlp.py kept aside."""
    from sklearn.datasets import load_digits  # optional dependency (the examples extra)

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    order = np.random.RandomState(seed).permutation(len(x))
    split = int(0.8 * len(x))
    return x[order][split:], digits.target[order][split:]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint-dir", default=os.path.join("tmp", "logs", "lr_0.01"))
    args = ap.parse_args(argv)

    checkpoint = tf.train.latest_checkpoint(args.checkpoint_dir)
    if checkpoint is None:
        sys.exit(f"no checkpoint in {args.checkpoint_dir}: run examples/train_mlp.py first")
    saver = tf.train.import_meta_graph(checkpoint + ".meta")
    graph = tf.get_default_graph()
    x = graph.get_tensor_by_name("x:0")
    predictions = graph.get_tensor_by_name("predictions:0")
    probabilities = graph.get_tensor_by_name("probabilities:0")

    images, labels = held_out_digits()
    with tf.Session() as sess:
        saver.restore(sess, checkpoint)
        predicted, probs = sess.run([predictions, probabilities], feed_dict={x: images})
    print(f"restored {checkpoint}")
    print(f"accuracy on {len(labels)} held-out digits: {np.mean(predicted == labels):.3f}")
    for i in range(5):
        print(f"  digit {labels[i]} -> predicted {predicted[i]} (p={probs[i, predicted[i]]:.3f})")
    return float(np.mean(predicted == labels))


if __name__ == "__main__":
    main()
