"""The words the documents print for the graph's codes (行政处罚法 第九条 kinds, service methods)."""

from __future__ import annotations

from typing import Final

KINDS: Final = {
    "WARNING": "警告", "PUBLIC_CRITICISM": "通报批评", "FINE": "罚款", "CONFISCATE_GAINS": "没收违法所得",
    "CONFISCATE_PROPERTY": "没收非法财物", "SUSPEND_LICENCE": "暂扣许可证件",
    "DOWNGRADE_QUALIFICATION": "降低资质等级", "REVOKE_LICENCE": "吊销许可证件",
    "RESTRICT_PRODUCTION": "限制开展生产经营活动", "ORDER_SUSPEND": "责令停产停业", "ORDER_CLOSE": "责令关闭",
    "RESTRICT_PRACTICE": "限制从业", "DETENTION": "行政拘留",
}

METHODS: Final = {
    "DIRECT": "直接送达", "LEFT_AT_ADDRESS": "留置送达", "POST": "邮寄送达", "ELECTRONIC": "电子送达",
    "ENTRUSTED": "委托送达", "PUBLIC_NOTICE": "公告送达",
}

LAW: Final = "《中华人民共和国行政处罚法》"


def kind_names(kinds: object) -> list[str]:
    return [KINDS.get(str(k), str(k)) for k in (kinds if isinstance(kinds, list | tuple) else [])]
