"""TensorFlow's wire formats as our own .proto files (same field numbers and types as TensorFlow's).

The `*_pb2.py` modules are generated from the `.proto` files beside them by grpcio-tools
(`make proto`); `tests/formats/test_proto_generated.py` fails when they are out of date.
The proto package is `engine` rather than `tensorflow`, so these messages can live in one process
with TensorFlow's or TensorBoard's own copies; the package name never reaches the wire.
"""
