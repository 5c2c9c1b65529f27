"""The cloud's catalogue: VPS, dedicated, Kubernetes and GPU plans, tax-exclusive.

Mostly monthly prices, some yearly, one weekly GPU burst, one USD price (R19).
"""

from __future__ import annotations

from sandbox.synthetic.clock import stripe_id
from sandbox.synthetic.specs import CouponSpec, PriceSpec, ProductSpec


def _product(key: str, name: str, description: str) -> ProductSpec:
    return ProductSpec(stripe_id("prod", key), name, description)


def _price(product: ProductSpec, key: str, nickname: str, cents: int, interval: str = "month",
           currency: str = "eur") -> PriceSpec:
    return PriceSpec(stripe_id("price", f"{product.id}/{key}"), product.id, nickname, cents,
                     currency, interval)


VPS_S = _product("vps-s", "VPS S", "2 vCPU, 4 GB RAM, 80 GB NVMe")
VPS_M = _product("vps-m", "VPS M", "4 vCPU, 8 GB RAM, 160 GB NVMe")
VPS_L = _product("vps-l", "VPS L", "8 vCPU, 32 GB RAM, 320 GB NVMe")
DEDICATED = _product("dedicated", "Dedicated server", "AMD EPYC, 128 GB RAM, Paris DC")
KUBERNETES = _product("k8s", "Managed Kubernetes", "Managed control plane with 3 nodes")
GPU = _product("gpu-a100", "GPU A100", "1 x NVIDIA A100 80 GB, dedicated")
GPU_BURST = _product("gpu-burst", "GPU burst", "GPU capacity billed weekly")
STORAGE = _product("storage", "Object storage", "1 TB S3-compatible object storage")
PRODUCTS = (VPS_S, VPS_M, VPS_L, DEDICATED, KUBERNETES, GPU, GPU_BURST, STORAGE)

VPS_S_MONTH = _price(VPS_S, "month", "VPS S monthly", 1900)
VPS_S_YEAR = _price(VPS_S, "year", "VPS S yearly", 19000, "year")
VPS_M_MONTH = _price(VPS_M, "month", "VPS M monthly", 4900)
VPS_M_YEAR = _price(VPS_M, "year", "VPS M yearly", 49000, "year")
VPS_M_USD = _price(VPS_M, "month-usd", "VPS M monthly (USD)", 5500, currency="usd")
VPS_L_MONTH = _price(VPS_L, "month", "VPS L monthly", 9900)
VPS_L_YEAR = _price(VPS_L, "year", "VPS L yearly", 99000, "year")
DEDICATED_MONTH = _price(DEDICATED, "month", "Dedicated monthly", 29000)
KUBERNETES_MONTH = _price(KUBERNETES, "month", "Kubernetes monthly", 39000)
GPU_MONTH = _price(GPU, "month", "GPU A100 monthly", 145000)
GPU_BURST_WEEK = _price(GPU_BURST, "week", "GPU burst weekly", 12000, "week")
STORAGE_MONTH = _price(STORAGE, "month", "Object storage monthly", 900)

MONTHLY = (VPS_S_MONTH, VPS_M_MONTH, VPS_L_MONTH, DEDICATED_MONTH, KUBERNETES_MONTH,
           STORAGE_MONTH, GPU_MONTH)
MONTHLY_WEIGHTS = (30, 30, 18, 8, 6, 6, 2)
YEARLY = (VPS_S_YEAR, VPS_M_YEAR, VPS_L_YEAR)
PRICES = (*MONTHLY, *YEARLY, VPS_M_USD, GPU_BURST_WEEK)
UPGRADES = {VPS_S_MONTH.id: VPS_M_MONTH, VPS_M_MONTH.id: VPS_L_MONTH,
            VPS_L_MONTH.id: DEDICATED_MONTH, VPS_S_YEAR.id: VPS_M_YEAR}

WELCOME = CouponSpec("BIENVENUE20", "Bienvenue -20% (3 mois)", 20, 3)
STARTUP = CouponSpec("STARTUP50", "Programme startup -50% (6 mois)", 50, 6)
COUPONS = (WELCOME, STARTUP)
