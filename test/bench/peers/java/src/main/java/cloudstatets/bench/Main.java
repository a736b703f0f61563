package cloudstatets.bench;

import com.example.shoppingcart.Shoppingcart;
import com.example.shoppingcart.persistence.Domain;
import io.cloudstate.javasupport.CloudState;

/** Serves the shopping cart on the Java support (HOST and PORT from the environment). */
public final class Main {
  public static void main(String[] args) throws Exception {
    new CloudState()
        .registerEventSourcedEntity(
            ShoppingCartEntity.class,
            Shoppingcart.getDescriptor().findServiceByName("ShoppingCart"),
            Domain.getDescriptor())
        .start()
        .toCompletableFuture()
        .get();
  }
}
