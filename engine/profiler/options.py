"""The options of one `tf.profiler.profile` call, resolved from its dict as tfprof resolves its
OptionsProto, and the two texts that describe them in the report: the Options block and the Doc."""

from __future__ import annotations

from dataclasses import dataclass, field

TRAINABLE_VARIABLES = "_trainable_variables"  # the op type the op log gives trainable variables
ROOT = "_TFProfRoot"
SCOPE_PARENT = "_kTFScopeParent"  # op type of a name scope that is no node of its own

OUTPUT_TYPES = ("stdout", "file", "none")

_SELECT_DOC = {
    "bytes": "requested bytes: The memory requested by the operation, accumulatively.",
    "micros": "total execution time: Sum of accelerator execution time and cpu execution time.\n"
              "cpu execution time: The time from the start to the end of the operation. It's the sum of "
              "actual cpu run time plus the time that it spends waiting if part of computation is launched "
              "asynchronously.\n"
              "accelerator execution time: Time spent executing on the accelerator. This is normally "
              "measured by the actual hardware library.",
    "params": "param: Number of parameters (in the Variable).",
    "float_ops": "flops: Number of float operations. Note: Please read the implementation for the math "
                 "behind it.",
    "tensor_value": "tensor_value: Not supported now.",
    "device": "device: which device is placed on.",
    "op_types": "op_types: The attributes of the operation, includes the Kernel name device placed on and "
                "user-defined strings.",
    "occurrence": "occurrence: The number of times it occurs",
    "input_shapes": "input shape: The shape of input tensors",
    "accelerator_micros": "accelerator execution time: Time spent executing on the accelerator. This is "
                          "normally measured by the actual hardware library.",
    "cpu_micros": "cpu execution time: The time from the start to the end of the operation. It's the sum "
                  "of actual cpu run time plus the time that it spends waiting if part of computation is "
                  "launched asynchronously.",
    "peak_bytes": "peak bytes: The peak amount of memory that the operation is holding at some point.",
    "residual_bytes": "residual bytes: The memory not de-allocated after the operation finishes.",
    "output_bytes": "output bytes: The memory that is output from the operation (not necessarily allocated "
                    "by the operation)",
}

_SCOPE_DOC = ("scope: The nodes in the model graph are organized by their names, which is hierarchical like "
              "filesystem.")
_CMD_DOC = {
    "scope": _SCOPE_DOC,
    "graph": _SCOPE_DOC,  # sic: tfprof documents its graph view with the scope view's text
    "op": "op: The nodes are operation kernel type, such as MatMul, Conv2D. Graph nodes belonging to the "
          "same type are aggregated together.",
}


@dataclass
class Options:
    """`profile`'s options dict with tfprof's defaults for missing keys (model_analyzer's _build_options)."""

    max_depth: int = 10
    min_bytes: int = 0
    min_peak_bytes: int = 0
    min_residual_bytes: int = 0
    min_output_bytes: int = 0
    min_micros: int = 0
    min_accelerator_micros: int = 0
    min_cpu_micros: int = 0
    min_params: int = 0
    min_float_ops: int = 0
    min_occurrence: int = 0
    step: int = -1
    order_by: str = "name"
    account_type_regexes: list = field(default_factory=list)
    start_name_regexes: list = field(default_factory=list)
    trim_name_regexes: list = field(default_factory=list)
    show_name_regexes: list = field(default_factory=list)
    hide_name_regexes: list = field(default_factory=list)
    account_displayed_op_only: bool = False
    select: list = field(default_factory=list)  # sorted and unique, as tfprof's std::set
    output_type: str = "stdout"
    output_options: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, options):
        opts = cls()
        for key, value in options.items():
            # TF reads the keys it knows and ignores the rest (model_analyzer._build_options).
            if key in ("output", "dump_to_file", "output_type", "output_options") or not hasattr(opts, key):
                continue
            setattr(opts, key, list(value) if isinstance(value, (list, tuple)) else value)
        opts.select = sorted(set(opts.select))
        opts.output_type, opts.output_options = _parse_output(options.get("output", "stdout"))
        if options.get("dump_to_file"):
            opts.output_type, opts.output_options = "file", {"outfile": options["dump_to_file"]}
        return opts

    def to_text(self):
        """tfprof's Options block: one `-name value` line per option, names padded to 28 columns."""
        rows = [("-max_depth", self.max_depth), ("-min_bytes", self.min_bytes),
                ("-min_peak_bytes", self.min_peak_bytes), ("-min_residual_bytes", self.min_residual_bytes),
                ("-min_output_bytes", self.min_output_bytes), ("-min_micros", self.min_micros),
                ("-min_accelerator_micros", self.min_accelerator_micros),
                ("-min_cpu_micros", self.min_cpu_micros), ("-min_params", self.min_params),
                ("-min_float_ops", self.min_float_ops), ("-min_occurrence", self.min_occurrence),
                ("-step", self.step), ("-order_by", self.order_by),
                ("-account_type_regexes", ",".join(self.account_type_regexes)),
                ("-start_name_regexes", ",".join(self.start_name_regexes)),
                ("-trim_name_regexes", ",".join(self.trim_name_regexes)),
                ("-show_name_regexes", ",".join(self.show_name_regexes)),
                ("-hide_name_regexes", ",".join(self.hide_name_regexes)),
                ("-account_displayed_op_only", "true" if self.account_displayed_op_only else "false"),
                ("-select", ",".join(self.select))]
        output = ",".join(f"{k}={v}" for k, v in sorted(self.output_options.items()))
        rows.append(("-output", f"{self.output_type}:{output}"))
        return "".join(f"{name:<28}{value}\n" for name, value in rows)

    def doc(self, cmd):
        """The report's Doc: what the view and each selected column mean."""
        helps = [_SELECT_DOC.get(s, f"Unknown select: {s}") for s in self.select]
        return "\nDoc:\n" + _CMD_DOC[cmd] + "\n" + "\n".join(helps) + "\n\n"


def _parse_output(output):
    """'stdout', 'none' or 'file:outfile=PATH' -> (type, {key: value})."""
    if not output:
        return "stdout", {}
    kind, _, rest = output.partition(":")
    if kind not in OUTPUT_TYPES:
        raise ValueError(f"Unknown output type: {kind}, Valid types: {','.join(sorted(OUTPUT_TYPES))} "
                         "(the engine's profiler writes text reports; it has no timeline or pprof output)")
    pairs = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ValueError("Visualize format: -output timeline:key=value,key=value,...")
        if kind != "file" or key != "outfile":
            raise ValueError(f"Unrecognized options {key} for output_type: {kind}")
        pairs[key] = value
    if kind == "file" and "outfile" not in pairs:
        raise ValueError("Missing required output_options for file\nE.g. -output file:outfile=...")
    return kind, pairs
