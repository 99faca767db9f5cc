package dev.freshet.adaptation.world;

/**
 * How big a generated {@link World} is: the number of old-world entities of each kind, and the requested
 * number of stream documents and fact edits.
 *
 * <p>Edits and the documents that change an old fact both consume distinct old facts (each old fact changes at
 * most once), so {@code edits} is an upper bound: {@link World#edits()} may hold fewer when the old world has
 * too few changeable facts. {@code documents} is always met, since documents about new entities are unlimited.
 */
public record WorldSize(int oldPeople, int oldOrgs, int oldPlaces, int oldProducts, int documents, int edits) {
  public static final WorldSize DEFAULT = new WorldSize(120, 30, 24, 30, 1200, 1200);
  public static final WorldSize TINY = new WorldSize(12, 4, 4, 4, 20, 20);

  public WorldSize {
    // Leaders are picked among employees and every edit needs a different value of the same kind.
    if (oldOrgs < 2 || oldPlaces < 2 || oldPeople < oldOrgs || oldProducts < 0 || documents < 0 || edits < 0) {
      throw new IllegalArgumentException("invalid world size: " + oldPeople + "/" + oldOrgs + "/" + oldPlaces
          + "/" + oldProducts + "/" + documents + "/" + edits);
    }
  }
}
