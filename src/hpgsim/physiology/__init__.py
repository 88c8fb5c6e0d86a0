"""The male HPG axis, one module per organ or mechanism.

Reading order follows the loop: ``hypothalamus`` (GnRH pulse generator) →
``gnrh_receptor`` (pituitary receptor and its desensitization) → ``gonadotropes`` (LH and
FSH pools) → ``leydig`` (LH receptor down-regulation, Leydig capacity, intratesticular T) →
``testosterone`` (serum T, SHBG binding, free T, the diurnal rhythm) → ``shbg`` (SHBG
synthesis under androgens and estrogens) → ``aromatase`` (estradiol) → ``sertoli``
(Sertoli function, maturation, inhibin B) → ``spermatogenesis`` (germ-cell chain, semen,
testis volume). ``feedback`` holds the androgen- and estrogen-receptor signals they share.
"""

from . import (
    aromatase,
    feedback,
    gnrh_receptor,
    gonadotropes,
    hypothalamus,
    leydig,
    sertoli,
    shbg,
    spermatogenesis,
    testosterone,
)

MODULES = (
    feedback,
    hypothalamus,
    gnrh_receptor,
    gonadotropes,
    leydig,
    testosterone,
    shbg,
    aromatase,
    sertoli,
    spermatogenesis,
)
