"""TensorFlow's file formats at the byte level, shared by engine (writers, checkpoints) and board (readers).

`records`: TFRecord framing, masked CRC32C, varints (the record layout is described there).
`crc_tables`: CRC32C of many short byte ranges at once, with numpy.

A package of its own, importing only numpy and google-crc32c, so that board reads a logdir of plain
scalar events without importing the engine package or protobuf (a tenth of a second at start-up).
"""
