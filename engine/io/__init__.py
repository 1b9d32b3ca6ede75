"""Reading and writing TFRecord files (tfrecord.py); the byte format itself is the tfformat package."""
