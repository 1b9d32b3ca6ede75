"""`tf.flags` (also `tf.app.flags`): absl's command-line flags, as TF 1.x re-exports them.

Two TF1 behaviours on top of absl: reading a flag from ``FLAGS`` before anything parsed the command line
parses ``sys.argv`` first (absl would raise ``UnparsedFlagAccessError``), and the ``DEFINE_*`` functions
still accept TF's old keyword names ``flag_name``, ``default_value`` and ``docstring``.
"""



from __future__ import annotations

import functools
import logging
import sys

from absl import flags as _absl
from absl.flags import (
    ArgumentParser,
    ArgumentSerializer,
    BaseListParser,
    BooleanFlag,
    BooleanParser,
    CantOpenFlagFileError,
    CsvListSerializer,
    DuplicateFlagError,
    EnumClassFlag,
    EnumClassListSerializer,
    EnumClassParser,
    EnumClassSerializer,
    EnumFlag,
    EnumParser,
    Error,
    Flag,
    FlagHolder,
    FlagNameConflictsWithMethodError,
    FlagValues,
    FloatParser,
    IllegalFlagValueError,
    IntegerParser,
    ListParser,
    ListSerializer,
    MultiEnumClassFlag,
    MultiFlag,
    UnparsedFlagAccessError,
    UnrecognizedFlagError,
    ValidationError,
    WhitespaceSeparatedListParser,
    adopt_module_key_flags,
    declare_key_flag,
    disclaim_key_flags,
    doc_to_help,
    flag_dict_to_args,
    get_help_width,
    mark_bool_flags_as_mutual_exclusive,
    mark_flag_as_required,
    mark_flags_as_mutual_exclusive,
    mark_flags_as_required,
    multi_flags_validator,
    override_value,
    register_multi_flags_validator,
    register_validator,
    set_default,
    text_wrap,
    validator,
)

_OLD_KEYWORDS = {"flag_name": "name", "default_value": "default", "docstring": "help"}


def _accepting_old_keywords(define):
    @functools.wraps(define)
    def define_flag(*args, **kwargs):
        old = [key for key in _OLD_KEYWORDS if key in kwargs]
        for key in old:
            kwargs[_OLD_KEYWORDS[key]] = kwargs.pop(key)
        if old:
            logging.getLogger("tensorflow").warning(
                "Use of the keyword argument names (flag_name, default_value, docstring) is deprecated, "
                "please use (name, default, help) instead.")
        return define(*args, **kwargs)

    return define_flag


DEFINE = _accepting_old_keywords(_absl.DEFINE)
DEFINE_alias = _accepting_old_keywords(_absl.DEFINE_alias)
DEFINE_bool = _accepting_old_keywords(_absl.DEFINE_bool)
DEFINE_boolean = _accepting_old_keywords(_absl.DEFINE_boolean)
DEFINE_enum = _accepting_old_keywords(_absl.DEFINE_enum)
DEFINE_enum_class = _accepting_old_keywords(_absl.DEFINE_enum_class)
DEFINE_flag = _accepting_old_keywords(_absl.DEFINE_flag)
DEFINE_float = _accepting_old_keywords(_absl.DEFINE_float)
DEFINE_integer = _accepting_old_keywords(_absl.DEFINE_integer)
DEFINE_list = _accepting_old_keywords(_absl.DEFINE_list)
DEFINE_multi = _accepting_old_keywords(_absl.DEFINE_multi)
DEFINE_multi_enum = _accepting_old_keywords(_absl.DEFINE_multi_enum)
DEFINE_multi_enum_class = _accepting_old_keywords(_absl.DEFINE_multi_enum_class)
DEFINE_multi_float = _accepting_old_keywords(_absl.DEFINE_multi_float)
DEFINE_multi_integer = _accepting_old_keywords(_absl.DEFINE_multi_integer)
DEFINE_multi_string = _accepting_old_keywords(_absl.DEFINE_multi_string)
DEFINE_spaceseplist = _accepting_old_keywords(_absl.DEFINE_spaceseplist)
DEFINE_string = _accepting_old_keywords(_absl.DEFINE_string)


class _ParsingOnFirstRead:
    """absl's FLAGS, parsing ``sys.argv`` when a flag is read before the command line was parsed."""

    def __init__(self, flag_values):
        object.__setattr__(self, "_flag_values", flag_values)

    def __getattr__(self, name):
        flag_values = object.__getattribute__(self, "_flag_values")
        if not flag_values.is_parsed():
            flag_values(sys.argv)
        return getattr(flag_values, name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_flag_values"), name, value)

    def __delattr__(self, name):
        delattr(object.__getattribute__(self, "_flag_values"), name)

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_flag_values")(*args, **kwargs)

    def __contains__(self, name):
        return name in object.__getattribute__(self, "_flag_values")

    def __iter__(self):
        return iter(object.__getattribute__(self, "_flag_values"))

    def __getitem__(self, name):
        return object.__getattribute__(self, "_flag_values")[name]

    def __dir__(self):
        return dir(object.__getattribute__(self, "_flag_values"))


FLAGS = _ParsingOnFirstRead(_absl.FLAGS)

__all__ = [
    "ArgumentParser", "ArgumentSerializer", "BaseListParser", "BooleanFlag", "BooleanParser",
    "CantOpenFlagFileError", "CsvListSerializer", "DEFINE", "DEFINE_alias", "DEFINE_bool", "DEFINE_boolean",
    "DEFINE_enum", "DEFINE_enum_class", "DEFINE_flag", "DEFINE_float", "DEFINE_integer", "DEFINE_list",
    "DEFINE_multi", "DEFINE_multi_enum", "DEFINE_multi_enum_class", "DEFINE_multi_float",
    "DEFINE_multi_integer", "DEFINE_multi_string", "DEFINE_spaceseplist", "DEFINE_string",
    "DuplicateFlagError", "EnumClassFlag", "EnumClassListSerializer", "EnumClassParser",
    "EnumClassSerializer", "EnumFlag", "EnumParser", "Error", "FLAGS", "Flag", "FlagHolder",
    "FlagNameConflictsWithMethodError", "FlagValues", "FloatParser", "IllegalFlagValueError",
    "IntegerParser", "ListParser", "ListSerializer", "MultiEnumClassFlag", "MultiFlag",
    "UnparsedFlagAccessError", "UnrecognizedFlagError", "ValidationError", "WhitespaceSeparatedListParser",
    "adopt_module_key_flags", "declare_key_flag", "disclaim_key_flags", "doc_to_help", "flag_dict_to_args",
    "get_help_width", "mark_bool_flags_as_mutual_exclusive", "mark_flag_as_required",
    "mark_flags_as_mutual_exclusive", "mark_flags_as_required", "multi_flags_validator", "override_value",
    "register_multi_flags_validator", "register_validator", "set_default", "text_wrap", "validator",
]
