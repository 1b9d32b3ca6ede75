"""File formats shared by the engine and board: TFRecord framing and its CRC."""
