package cloudstatets.bench;

import com.example.shoppingcart.Shoppingcart;
import com.example.shoppingcart.persistence.Domain;
import com.google.protobuf.Empty;
import io.cloudstate.javasupport.eventsourced.CommandContext;
import io.cloudstate.javasupport.eventsourced.CommandHandler;
import io.cloudstate.javasupport.eventsourced.EventHandler;
import io.cloudstate.javasupport.eventsourced.EventSourcedEntity;
import io.cloudstate.javasupport.eventsourced.Snapshot;
import io.cloudstate.javasupport.eventsourced.SnapshotHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** The benchmark's shopping cart: the same behaviour as examples/shopping-cart, on the Java support. */
@EventSourcedEntity(persistenceId = "shopping-cart", snapshotEvery = 5)
public class ShoppingCartEntity {
  private final Map<String, Domain.LineItem> lines = new LinkedHashMap<>();

  @Snapshot
  public Domain.Cart snapshot() {
    return Domain.Cart.newBuilder().addAllItems(lines.values()).build();
  }

  @SnapshotHandler
  public void restore(Domain.Cart cart) {
    lines.clear();
    for (Domain.LineItem line : cart.getItemsList()) lines.put(line.getProductId(), line);
  }

  @EventHandler
  public void added(Domain.ItemAdded event) {
    Domain.LineItem line = event.getItem();
    Domain.LineItem existing = lines.get(line.getProductId());
    lines.put(
        line.getProductId(),
        existing == null ? line : existing.toBuilder().setQuantity(existing.getQuantity() + line.getQuantity()).build());
  }

  @EventHandler
  public void removed(Domain.ItemRemoved event) {
    lines.remove(event.getProductId());
  }

  @CommandHandler
  public Shoppingcart.Cart getCart() {
    Shoppingcart.Cart.Builder cart = Shoppingcart.Cart.newBuilder();
    for (Domain.LineItem line : lines.values()) {
      cart.addItems(
          Shoppingcart.LineItem.newBuilder()
              .setProductId(line.getProductId())
              .setName(line.getName())
              .setQuantity(line.getQuantity()));
    }
    return cart.build();
  }

  @CommandHandler
  public Empty addItem(Shoppingcart.AddLineItem command, CommandContext context) {
    if (command.getQuantity() <= 0) {
      context.fail("Cannot add a quantity of " + command.getQuantity() + " of " + command.getProductId());
    }
    context.emit(
        Domain.ItemAdded.newBuilder()
            .setItem(
                Domain.LineItem.newBuilder()
                    .setProductId(command.getProductId())
                    .setName(command.getName())
                    .setQuantity(command.getQuantity()))
            .build());
    return Empty.getDefaultInstance();
  }

  @CommandHandler
  public Empty removeItem(Shoppingcart.RemoveLineItem command, CommandContext context) {
    if (!lines.containsKey(command.getProductId())) {
      context.fail("Cannot remove item " + command.getProductId() + ": it is not in the cart");
    }
    context.emit(Domain.ItemRemoved.newBuilder().setProductId(command.getProductId()).build());
    return Empty.getDefaultInstance();
  }
}
