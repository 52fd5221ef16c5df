package io.github.vmlifecycle.internal.rescue;

import org.w3c.dom.Element;

/**
 * Makes one device the first boot device: {@code <os><boot dev>} is removed (libvirt refuses it
 * together with per-device boot orders), every other device's {@code <boot order>} is shifted up by
 * one and the device gets {@code <boot order='1'/>}.
 */
final class BootOrders {
  private BootOrders() {}

  static void bootFrom(Element domain, Element devices, Element first) {
    Dom.child(domain, "os").ifPresent(os -> Dom.children(os, "boot").forEach(Dom::remove));
    for (org.w3c.dom.Node n = devices.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n != first) {
        for (Element boot : Dom.children((Element) n, "boot")) {
          Disks.bootOrder((Element) n)
              .ifPresent(order -> boot.setAttribute("order", Integer.toString(order + 1)));
        }
      }
    }
    Dom.children(first, "boot").forEach(Dom::remove);
    Dom.append(first, Dom.element(first, "boot", "order", "1"));
  }
}
