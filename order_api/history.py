"""A registered buyer's orders on their own link, as they stand now (GET /links/{link}/orders):
the store's orders, cancellations and shipments of that link -> one OrderHistory, the latest
first. What the buyer heard of by e-mail (amendments, shipments with their tracking,
cancellations), in one place to look it up."""

from __future__ import annotations

from datetime import datetime

from order_api.schemas import OrderHistory, PastOrder, PastShipment, ShippedLine
from order_api.store import OrderFilter, OrderStore, shipped_units, shipping_state

MOST = 50  # orders listed: a buyer's season or two; older ones are the brand's to look up


def order_history(store: OrderStore, link: str, now: datetime) -> OrderHistory:
    """The link's latest orders (at most MOST), each with its status and shipments."""
    # One more than listed tells whether there are more.
    orders = list(store.orders(OrderFilter(link=link, latest=MOST + 1)))
    latest = orders[::-1][:MOST]
    numbers = [order.order_number for order in latest]
    cancelled = store.cancellations(numbers) if numbers else {}
    shipments = store.shipments(numbers) if numbers else {}
    listed = []
    for order in latest:
        shipped = shipments.get(order.order_number, [])
        cancellation = cancelled.get(order.order_number)
        listed.append(PastOrder(
            order=order, status="cancelled" if cancellation else "placed",
            cancelled_at=cancellation.at if cancellation else None,
            shipped=shipping_state(order, sum(shipped_units(shipped).values())),
            shipments=[PastShipment(
                shipped_on=shipment.shipped_on, carrier=shipment.carrier,
                tracking=shipment.tracking,
                lines=[ShippedLine(style_no=style, color=color, size=size, quantity=quantity)
                       for style, color, size, quantity in shipment.cells])
                for shipment in shipped]))
    return OrderHistory(orders=listed, more=len(orders) > MOST, server_time=now)
