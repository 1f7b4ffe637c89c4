"""The provider registry: slug -> client class. A plain dict, no auto-registration."""

from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.linkup import LinkupClient
from prospecting.providers.lix import LixClient
from prospecting.providers.lookc import LookcClient
from prospecting.providers.lusha import LushaClient

PROVIDERS = {
    "lix": LixClient,
    "lookc": LookcClient,
    "linkup": LinkupClient,
    "lusha": LushaClient,
    "leadiq": LeadiqClient,
}
